import { Logger } from '@nestjs/common';
import { validateEvent } from '@app/contracts';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { quoteSchema } from '../database/schema-name';
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

/**
 * Appends outbox events (CommunicationDisabled) to the log. A row is done when the projection
 * consumes its event id from the log and marks it, in the same transaction as the rest. After a
 * restart nothing is sent until the projection has caught up with the log end read at start-up:
 * an event published just before a crash is then already marked, so it is not sent twice.
 */
export class OutboxRelay extends PolledWorker {
  private readonly logger: Logger;
  private readonly s: string;
  /** Sent by this process and waiting for the projection to see them. */
  private readonly sent = new Set<string>();
  publishedCount = 0;

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
  }

  async runOnce(): Promise<void> {
    if (!this.options.caughtUp()) return;
    const rows: { event_id: string; communication_id: string; payload: unknown }[] =
      await this.dataSource.query(
        `SELECT event_id, communication_id, payload FROM ${this.s}.outbox_events
        WHERE published_offset IS NULL ORDER BY created_at, event_id LIMIT 100`,
      );
    if (rows.length === 0 || !(await this.options.logUnchanged())) return;
    for (const row of rows) {
      if (this.loop.isStopped || this.sent.has(row.event_id)) continue;
      const checked = validateEvent(row.payload, 'stored');
      if (!checked.ok) {
        this.logger.error({
          message: `outbox event is invalid (${checked.rejection.code}); not published`,
          eventId: row.event_id,
          communicationId: row.communication_id,
        });
        continue;
      }
      const e = checked.event;
      await appendToLog(this.producer, this.options.topic, [e]);
      this.sent.add(row.event_id);
      this.publishedCount += 1;
      this.logger.log({ message: `published ${e.type}`, eventId: e.id, communicationId: e.communicationId });
    }
  }
}
