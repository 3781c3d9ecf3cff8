import type { Kafka, Producer } from 'kafkajs';
import { transactionalProducer } from './kafka.client';

/**
 * Transactional producers by transactional id, created on first use. A producer whose transaction
 * failed is dropped (it may be fenced or in an unknown state) and re-created on next use; the new
 * one's initialisation aborts whatever the old one left open.
 */
export class TransactionalProducers {
  private readonly producers = new Map<string, Promise<Producer>>();

  constructor(
    private readonly kafka: Kafka,
    /** Unset: the client's default. */
    private readonly transactionTimeoutMs?: number,
  ) {}

  get(transactionalId: string): Promise<Producer> {
    let p = this.producers.get(transactionalId);
    if (!p) {
      const producer = transactionalProducer(this.kafka, {
        transactionalId,
        ...(this.transactionTimeoutMs !== undefined && { transactionTimeout: this.transactionTimeoutMs }),
      });
      p = producer.connect().then(() => producer);
      p.catch(() => this.producers.delete(transactionalId));
      this.producers.set(transactionalId, p);
    }
    return p;
  }

  async drop(transactionalId: string): Promise<void> {
    const p = this.producers.get(transactionalId);
    this.producers.delete(transactionalId);
    await p?.then((producer) => producer.disconnect()).catch(() => undefined);
  }

  /** Disconnects every producer (flushing is implicit: sends are awaited inside transactions). */
  async closeAll(): Promise<void> {
    const ids = [...this.producers.keys()];
    await Promise.all(ids.map((id) => this.drop(id)));
  }
}
