import type { Kafka, Producer } from 'kafkajs';
import { within } from '../resilience/bounded.wait';
import { transactionalProducer } from './kafka.client';

/**
 * Longest wait for a producer's initialisation (finding the coordinator, fencing the previous
 * owner, aborting its open transaction): kafkajs's own retries end well within it. Past it the
 * initialisation counts as failed and the next use starts afresh (decision 0685).
 */
export const PRODUCER_INIT_WITHIN_MS = 30_000;
/** Longest wait for a dropped producer to close; it is dropped either way. */
const DISCONNECT_WITHIN_MS = 5_000;

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
      p = within(
        producer.connect(),
        PRODUCER_INIT_WITHIN_MS,
        `initialising producer ${transactionalId}`,
      ).then(() => producer);
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
      await closeWithin(only);
      return;
    }
    const p = this.producers.get(transactionalId);
    const object = this.objects.get(transactionalId);
    this.forget(transactionalId);
    // The object, not the promise: an initialisation that never settles must not hold the drop.
    if (p && object) await closeWithin(object);
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

/** Disconnects, waiting at most DISCONNECT_WITHIN_MS: a request that never ends holds kafkajs's disconnect. */
async function closeWithin(producer: Producer): Promise<void> {
  await within(producer.disconnect(), DISCONNECT_WITHIN_MS, 'closing a producer').catch(() => undefined);
}
