import { Logger } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { quoteSchema } from '../database/schema-name';
import { appendToLog } from '../outbox/log.append';
import { PolledWorker } from '../outbox/polling.loop';
import { derivedUuid } from '../projection/projection.ids';
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

/** A row of the recoveries table as pg returns it. */
export interface RecoveryDbRow {
  recovery_id: string;
  communication_id: string;
  since: Date;
  states: string[];
  requested_by: string;
  reason: string;
  admin_key: string | null;
  requested_at: Date;
  resent: number;
  last_created_at: Date | null;
  last_callback_id: string | null;
  sent_created_at: Date | null;
  sent_callback_id: string | null;
  finished_at: Date | null;
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
      const [r]: RecoveryDbRow[] = await em.query(
        `SELECT * FROM ${this.s}.recoveries WHERE recovery_id = $1 AND finished_at IS NULL FOR UPDATE SKIP LOCKED`,
        [recoveryId],
      );
      if (!r) return;
      const [comm]: { status: string }[] = await em.query(
        `SELECT status FROM ${this.s}.communications WHERE communication_id = $1`,
        [r.communication_id],
      );
      if (comm?.status !== 'active') {
        await this.finish(em, r, 'its communication is disabled again');
        return;
      }
      const cursor = later(
        { at: r.last_created_at, id: r.last_callback_id },
        { at: r.sent_created_at, id: r.sent_callback_id },
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
        [r.communication_id, r.states, r.since, r.requested_at, cursor.at, cursor.id, n],
      );
      const events = [];
      for (const row of rows) {
        const built = buildResend(
          {
            callbackId: row.callback_id,
            communicationId: r.communication_id,
            callbackConfigId: row.callback_config_id,
            method: row.method,
            attempts: row.attempts,
            trigger: row.payload ?? null,
          },
          { by: r.requested_by, reason: r.reason, ...(r.admin_key !== null && { adminKey: r.admin_key }) },
          {
            eventId: derivedUuid('CallbackResendRequested', r.recovery_id, row.callback_id),
            occurredAt: new Date().toISOString(),
            recoveryId: r.recovery_id,
          },
        );
        if (built.ok) events.push(built.event);
        else
          this.logger.warn(`recovery ${r.recovery_id} skips callback ${row.callback_id}: ${built.message}`);
      }
      await appendToLog(this.producer, this.options.topic, events);
      this.resentCount += events.length;
      this.budget -= rows.length;
      const last = rows.at(-1);
      if (last) {
        await em.query(
          `UPDATE ${this.s}.recoveries SET sent_created_at = $2, sent_callback_id = $3 WHERE recovery_id = $1`,
          [r.recovery_id, last.created_at, last.callback_id],
        );
      }
      if (rows.length < n) await this.finish(em, r, 'every callback was resent');
    });
  }

  private async finish(
    em: { query: (sql: string, params: unknown[]) => Promise<unknown> },
    r: RecoveryDbRow,
    why: string,
  ): Promise<void> {
    await em.query(`UPDATE ${this.s}.recoveries SET finished_at = now() WHERE recovery_id = $1`, [
      r.recovery_id,
    ]);
    this.logger.log(`recovery ${r.recovery_id} of communication ${r.communication_id} finished: ${why}`);
  }
}

/** The later of two (created_at, callback_id) cursors; null fields mean "from the start". */
function later(
  a: { at: Date | null; id: string | null },
  b: { at: Date | null; id: string | null },
): { at: string | null; id: string | null } {
  const key = (c: { at: Date | null; id: string | null }) => (c.at ? [c.at.getTime(), c.id ?? ''] : null);
  const [ka, kb] = [key(a), key(b)];
  const pick = !ka ? b : !kb ? a : ka[0] > kb[0] || (ka[0] === kb[0] && ka[1] > kb[1]) ? a : b;
  return { at: pick.at ? pick.at.toISOString() : null, id: pick.id };
}
