// First: they patch kafkajs modules that kafkajs binds when it loads (see the files).
import './encoder.patch';
import './send-messages.patch';
import { Kafka, logLevel, Partitioners, Producer, Transaction } from 'kafkajs';
import type { KafkaSecurity } from './kafka.connection';
import { kafkaLogCreator, kafkaLogLevelFor } from './kafka.log';
import './request-queue.patch';
import './fetch-response.patch';

/** Brokers plus, for a secured cluster, TLS and SASL (`kafkaConnectionFrom` builds both). */
export interface KafkaOptions extends KafkaSecurity {
  brokers: string[];
  clientId: string;
  /** kafkajs log level; defaults to what LOG_LEVEL needs (see kafka.log.ts). */
  level?: logLevel;
}

export function createKafka({
  brokers,
  clientId,
  ssl,
  sasl,
  level = kafkaLogLevelFor(),
}: KafkaOptions): Kafka {
  return new Kafka({
    brokers,
    clientId,
    ...(ssl && { ssl }),
    ...(sasl && { sasl }),
    logLevel: level,
    logCreator: kafkaLogCreator(`kafka:${clientId}`),
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
    connectionTimeout: 5_000,
  });
}

/**
 * A transactional producer as every consume → produce loop here needs it: idempotent, one request
 * in flight, no topic auto-creation, and the Java-compatible murmur2 partitioner (a communication
 * maps to the same log partition whichever client appends it).
 *
 * Its retry starts at 10 ms, not the client's 200 ms: a transaction that starts while the broker is
 * still writing the previous one's commit markers gets CONCURRENT_TRANSACTIONS on
 * AddPartitionsToTxn, which clears within milliseconds. With 200 ms, back-to-back transactions
 * waited ~200 ms at p90 (docs/performance.md, cause 1).
 */
export function transactionalProducer(
  kafka: Kafka,
  options: { transactionalId: string; transactionTimeout?: number },
): Producer {
  return kafka.producer({
    ...options,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { initialRetryTime: 10, maxRetryTime: 1_000, retries: 10 },
  });
}

/**
 * An idempotent producer outside transactions (the projector's outbox relay): one request in flight
 * so retries keep order, no topic auto-creation, and the same murmur2 partitioner as the
 * transactional producers, so an event lands on its communication's partition whoever appends it.
 */
export function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/**
 * `transaction.sendOffsets`, retried while the coordinator answers CONCURRENT_TRANSACTIONS. kafkajs
 * does not retry AddOffsetsToTxn when the coordinator is still completing this producer's previous
 * transaction, which is normal right after a commit (and always so for a transaction that sends
 * nothing but offsets); the Java client retries it, so do we, briefly, inside the same transaction.
 */
export async function sendOffsetsPatiently(
  txn: Transaction,
  offsets: Parameters<Transaction['sendOffsets']>[0],
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await txn.sendOffsets(offsets);
    } catch (e) {
      if ((e as { type?: string }).type !== 'CONCURRENT_TRANSACTIONS' || attempt >= 50) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
