import type { Kafka, Producer } from 'kafkajs';
import { transactionalProducer } from './kafka.client';

/**
 * Transactional producers by transactional id, created on first use. A producer whose transaction
 * failed is dropped (it may be fenced or in an unknown state) and re-created on next use; the new
 * one's initialisation aborts whatever the old one left open.
 */
export class TransactionalProducers {
  private readonly producers = new Map<string, Promise<Producer>>();
  /** The producer object behind each entry, known before it is connected (see `holds`). */
  private readonly objects = new Map<string, Producer>();

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
      const entry = p;
      p.catch(() => {
        // Half connected (initialisation failed): closed, and the next use starts afresh.
        if (this.producers.get(transactionalId) === entry) this.forget(transactionalId);
        void producer.disconnect().catch(() => undefined);
      });
      this.producers.set(transactionalId, p);
      this.objects.set(transactionalId, producer);
    }
    return p;
  }

  /** Whether `producer` is still the one used for `transactionalId` (not dropped, not replaced). */
  holds(transactionalId: string, producer: Producer): boolean {
    return this.objects.get(transactionalId) === producer;
  }

  /**
   * Drops the producer of `transactionalId`. With `only`: only if that is still the one in use. A
   * failure seen by work of an earlier take-over must not close its successor, which may be in
   * the middle of a transaction of its own.
   */
  async drop(transactionalId: string, only?: Producer): Promise<void> {
    if (only && !this.holds(transactionalId, only)) {
      await only.disconnect().catch(() => undefined);
      return;
    }
    const p = this.producers.get(transactionalId);
    this.forget(transactionalId);
    await p?.then((producer) => producer.disconnect()).catch(() => undefined);
  }

  private forget(transactionalId: string): void {
    this.producers.delete(transactionalId);
    this.objects.delete(transactionalId);
  }

  /** Disconnects every producer (flushing is implicit: sends are awaited inside transactions). */
  async closeAll(): Promise<void> {
    const ids = [...this.producers.keys()];
    await Promise.all(ids.map((id) => this.drop(id)));
  }
}
