import { Logger } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { quoteSchema } from '../database/schema.name';
import { appendToLog } from '../outbox/log.append';
import { PolledWorker } from '../outbox/polling.loop';
import { rowFrom } from '../projection/column.types';
import { derivedUuid } from '../projection/projection.ids';
import { SCHEMA, type StoredRecoveryRow } from '../projection/projection.schema';
import { buildResend } from './resend.event';

export interface RecoveryWorkerOptions {
  topic: string;
  pollMs: number;
  /** Resends per second at most, all recoveries of this process together. */
  ratePerSecond: number;
  /** True once the projection has applied the log up to the end offsets read at start-up. */
  caughtUp: () => boolean;
  /** Confirms the log is still the one the projection was built from (decision 0641). */
  logUnchanged: () => Promise<boolean>;
}

/**
 * Carries out recoveries (decision 0625): for each open one, in the order they were requested,
 * appends one `CallbackResendRequested` per callback of the communication in the requested states,
 * created between `since` and the request, in callback order (created_at, callback_id), at most
 * `ratePerSecond` per second.
 *
 * Each recovery is worked on under a row lock (SKIP LOCKED: several projectors share the work),
 * continuing after the later of two cursors: the one the projection derives from the resends it
 * read back from the log, and the one this worker records after each append. Like the outbox relay
 * it starts only once the projection has caught up with the log at start-up, so a resend appended
 * just before a crash is found on the log, not appended again. Event ids derive from the recovery
 * and the callback. A recovery ends when nothing is left, or when the communication is disabled
 * again (what is left would only be cancelled; the operator recovers again after re-enabling).
 */
export class RecoveryWorker extends PolledWorker {
  private readonly logger: Logger;
  private readonly s: string;
  private budget = 0;
  private lastRefill = Date.now();
  resentCount = 0;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
    private readonly producer: Producer,
    private readonly options: RecoveryWorkerOptions,
  ) {
    const logger = new Logger('recovery');
    super('recovery', options.pollMs, logger);
    this.logger = logger;
    this.s = quoteSchema(schema);
  }

  async runOnce(): Promise<void> {
    if (!this.options.caughtUp()) return;
    if (!(await this.options.logUnchanged())) return;
    const now = Date.now();
    const rate = this.options.ratePerSecond;
    this.budget = Math.min(rate, this.budget + (rate * (now - this.lastRefill)) / 1000);
    this.lastRefill = now;
    const open: { recovery_id: string }[] = await this.dataSource.query(
      `SELECT recovery_id FROM ${this.s}.recoveries WHERE finished_at IS NULL ORDER BY requested_at, recovery_id LIMIT 50`,
    );
    for (const { recovery_id } of open) {
      if (this.budget < 1 || this.loop.isStopped) return;
      await this.advance(recovery_id);
    }
  }

  /** One step of one recovery, under its row lock. */
  private advance(recoveryId: string): Promise<void> {
    return this.dataSource.transaction(async (em) => {
      const [record]: Record<string, unknown>[] = await em.query(
        `SELECT * FROM ${this.s}.recoveries WHERE recovery_id = $1 AND finished_at IS NULL FOR UPDATE SKIP LOCKED`,
        [recoveryId],
      );
      if (!record) return;
      const r = rowFrom(SCHEMA.recoveries, record);
      const [comm]: { status: string }[] = await em.query(
        `SELECT status FROM ${this.s}.communications WHERE communication_id = $1`,
        [r.communicationId],
      );
      if (comm?.status !== 'active') {
        await this.finish(em, r, 'its communication is disabled again');
        return;
      }
      const cursor = later(
        { at: r.lastCreatedAt, id: r.lastCallbackId },
        { at: r.sentCreatedAt, id: r.sentCallbackId },
      );
      const n = Math.floor(this.budget);
      const rows: {
        callback_id: string;
        callback_config_id: string;
        method: string;
        attempts: number;
        created_at: Date;
        payload: unknown;
      }[] = await em.query(
        `SELECT c.callback_id, c.callback_config_id, c.method, c.attempts, c.created_at, t.payload
           FROM ${this.s}.callbacks c LEFT JOIN ${this.s}.trigger_events t ON t.event_id = c.trigger_event_id
          WHERE c.communication_id = $1 AND c.state = ANY($2) AND c.created_at >= $3 AND c.created_at <= $4
            AND ($5::timestamptz IS NULL OR (c.created_at, c.callback_id) > ($5::timestamptz, $6::text))
          ORDER BY c.created_at, c.callback_id LIMIT $7`,
        [r.communicationId, r.states, r.since, r.requestedAt, cursor.at, cursor.id, n],
      );
      const events = [];
      for (const row of rows) {
        const built = buildResend(
          {
            callbackId: row.callback_id,
            communicationId: r.communicationId,
            callbackConfigId: row.callback_config_id,
            method: row.method,
            attempts: row.attempts,
            trigger: row.payload ?? null,
          },
          { by: r.requestedBy, reason: r.reason, ...(r.adminKey !== null && { adminKey: r.adminKey }) },
          {
            eventId: derivedUuid('CallbackResendRequested', r.recoveryId, row.callback_id),
            occurredAt: new Date().toISOString(),
            recoveryId: r.recoveryId,
          },
        );
        if (built.ok) events.push(built.event);
        else this.logger.warn(`recovery ${r.recoveryId} skips callback ${row.callback_id}: ${built.message}`);
      }
      await appendToLog(this.producer, this.options.topic, events);
      this.resentCount += events.length;
      this.budget -= rows.length;
      const last = rows.at(-1);
      if (last) {
        await em.query(
          `UPDATE ${this.s}.recoveries SET sent_created_at = $2, sent_callback_id = $3 WHERE recovery_id = $1`,
          [r.recoveryId, last.created_at, last.callback_id],
        );
      }
      if (rows.length < n) await this.finish(em, r, 'every callback was resent');
    });
  }

  private async finish(
    em: { query: (sql: string, params: unknown[]) => Promise<unknown> },
    r: StoredRecoveryRow,
    why: string,
  ): Promise<void> {
    await em.query(`UPDATE ${this.s}.recoveries SET finished_at = now() WHERE recovery_id = $1`, [
      r.recoveryId,
    ]);
    this.logger.log(`recovery ${r.recoveryId} of communication ${r.communicationId} finished: ${why}`);
  }
}

/** The later of two (created_at, callback_id) cursors; null fields mean "from the start". */
function later(
  a: { at: string | null; id: string | null },
  b: { at: string | null; id: string | null },
): { at: string | null; id: string | null } {
  const key = (c: { at: string | null; id: string | null }) => (c.at ? [Date.parse(c.at), c.id ?? ''] : null);
  const [ka, kb] = [key(a), key(b)];
  const pick = !ka ? b : !kb ? a : ka[0] > kb[0] || (ka[0] === kb[0] && ka[1] > kb[1]) ? a : b;
  return { at: pick.at, id: pick.id };
}
