import { Logger } from '@nestjs/common';
import { validateEvent, type LogEvent } from '@app/contracts';
import { type Failure, PoisonGuard, reportParked } from '@app/platform';
import type { Producer } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';
import { quoteSchema } from '../database/schema.name';
import { parkedOutboxEvent } from '../projection/projection.parked';
import { ProjectionStore } from '../projection/projection.store';
import { appendToLog } from './log.append';
import { PolledWorker } from './polling.loop';

export interface OutboxRelayOptions {
  topic: string;
  pollMs: number;
  /** True once the projection has applied the log up to the end offsets read at start-up. */
  caughtUp: () => boolean;
  /**
   * False when the log is no longer the one the projection was built from: its outbox events must
   * not be appended to another log (decision 0641). Asked once per pass that has rows to send.
   */
  logUnchanged: () => Promise<boolean>;
}

interface OutboxRow {
  event_id: string;
  communication_id: string;
  event_type: string;
  payload: unknown;
}

/**
 * Appends outbox events (CommunicationDisabled) to the log. A row is done when the projection
 * consumes its event id from the log and marks it, in the same transaction as the rest. After a
 * restart nothing is sent until the projection has caught up with the log end read at start-up:
 * an event published just before a crash is then already marked, so it is not sent twice.
 *
 * A row that can never be published (its payload is not a valid event, or the broker refuses it
 * every time) is parked: marked on the outbox row and recorded in parked_records, with a metric and
 * a log line, instead of being tried again on every poll forever (decision 0603). A broker outage
 * is waited out.
 *
 * One relay per projection works at a time, whichever instance holds the schema's outbox lock (a
 * session advisory lock on a connection of its own): two projector instances would otherwise both
 * append every event. When the holder dies its session ends, the lock is free, and the relay of
 * another instance takes over at its next poll.
 */
export class OutboxRelay extends PolledWorker {
  private readonly logger: Logger;
  private readonly s: string;
  /** Sent by this process and waiting for the projection to see them. */
  private readonly sent = new Set<string>();
  private readonly guard = new PoisonGuard('outbox-relay');
  private readonly store: ProjectionStore;
  publishedCount = 0;
  /** The connection holding the outbox lock, while this relay holds it. */
  private lockHolder?: QueryRunner;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
    private readonly producer: Producer,
    private readonly options: OutboxRelayOptions,
  ) {
    const logger = new Logger('outbox-relay');
    super('relay', options.pollMs, logger);
    this.logger = logger;
    this.s = quoteSchema(schema);
    this.store = new ProjectionStore(schema);
  }

  async runOnce(): Promise<void> {
    if (!this.options.caughtUp() || !(await this.holdsLock())) return;
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT event_id, communication_id, event_type, payload FROM ${this.s}.outbox_events
        WHERE published_offset IS NULL AND parked_at IS NULL ORDER BY created_at, event_id LIMIT 100`,
    );
    if (rows.length === 0 || !(await this.options.logUnchanged())) return;
    const ready: { row: OutboxRow; event: LogEvent }[] = [];
    for (const row of rows) {
      if (this.loop.isStopped || this.sent.has(row.event_id)) continue;
      const checked = validateEvent(row.payload, 'stored');
      if (checked.ok) {
        ready.push({ row, event: checked.event });
        continue;
      }
      // Nothing can make an invalid payload valid: parked at once.
      const { code, message } = checked.rejection;
      const failure: Failure = { class: 'deterministic', code, message, attempts: 0 };
      await this.park(row, failure);
      reportParked('outbox-relay', `outbox event ${row.event_id}`, failure);
    }
    await this.guard.run({
      records: ready,
      process: async (batch) => {
        await appendToLog(
          this.producer,
          this.options.topic,
          batch.map(({ event }) => event),
        );
        for (const { row, event } of batch) {
          this.sent.add(row.event_id);
          this.publishedCount += 1;
          this.logger.log({
            message: `published ${event.type}`,
            eventId: event.id,
            communicationId: event.communicationId,
          });
        }
      },
      park: ({ row }, failure) => this.park(row, failure),
      describe: ({ row }) => `outbox event ${row.event_id}`,
      active: () => !this.loop.isStopped,
      pause: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
  }

  override async stop(): Promise<void> {
    await super.stop();
    const holder = this.lockHolder;
    this.lockHolder = undefined;
    if (!holder) return;
    // Unlocked before the connection goes back to the pool, which would otherwise keep the lock.
    await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [this.lockKey]).catch(() => undefined);
    await holder.release().catch(() => undefined);
  }

  private get lockKey(): string {
    return `${this.s}.outbox-relay`;
  }

  /** True while this relay holds the outbox lock; tries to take it when it does not. */
  private async holdsLock(): Promise<boolean> {
    if (this.lockHolder) {
      try {
        await this.lockHolder.query('SELECT 1');
        return true;
      } catch (e) {
        // The session is gone, and the lock with it: try again on a fresh connection next time.
        const lost = this.lockHolder;
        this.lockHolder = undefined;
        await lost.release().catch(() => undefined);
        throw e;
      }
    }
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const [row] = (await runner
      .query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.lockKey])
      .catch(async (e: unknown) => {
        await runner.release();
        throw e;
      })) as { locked: boolean }[];
    if (!row.locked) {
      await runner.release();
      return false;
    }
    this.lockHolder = runner;
    this.logger.log('this instance relays the outbox (it holds the outbox lock)');
    return true;
  }

  /** Marks the row parked and records why, in one transaction. */
  private async park(row: OutboxRow, failure: Failure): Promise<void> {
    const parked = parkedOutboxEvent(
      { eventId: row.event_id, eventType: row.event_type, communicationId: row.communication_id },
      failure,
    );
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `UPDATE ${this.s}.outbox_events SET parked_at = now(), parked_reason = $2 WHERE event_id = $1`,
        [row.event_id, `${parked.code}: ${parked.reason}`],
      );
      await this.store.writeParked(em.queryRunner!, [parked]);
    });
  }
}
