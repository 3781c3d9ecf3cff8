import { LogEvent, logRecordOf } from '@app/contracts';
import { inTransaction, sendInParts, TransactionalProducers } from '@app/platform';
import { Kafka } from 'kafkajs';
import { IngestConfig } from '../config/ingest.config';

/**
 * Appends the events of one HTTP request to the log in one transaction: all of them or none, and
 * the promise resolves only once the broker has committed them (acks from all in-sync replicas).
 * A producer runs one transaction at a time, so requests are queued.
 */
export class LogAppender {
  private readonly producers: TransactionalProducers;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: IngestConfig,
    kafka: Kafka,
  ) {
    this.producers = new TransactionalProducers(kafka, config.transactionTimeoutMs);
  }

  /** Initialises the producer early: that fences a previous incarnation and aborts what it left open. */
  async start(): Promise<void> {
    await this.producers.get(this.config.httpTransactionalId);
  }

  append(events: LogEvent[]): Promise<void> {
    const run = this.tail.then(() => this.appendNow(events));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    await this.tail;
    await this.producers.closeAll();
  }

  private async appendNow(events: LogEvent[]): Promise<void> {
    if (events.length === 0) return;
    const id = this.config.httpTransactionalId;
    try {
      // In requests the broker accepts: a request of 1 MiB of events is still one transaction.
      await inTransaction(await this.producers.get(id), (txn) =>
        sendInParts(txn, [{ topic: this.config.logTopic, messages: events.map(logRecordOf) }]),
      );
    } catch (e) {
      await this.producers.drop(id);
      throw e;
    }
  }
}
