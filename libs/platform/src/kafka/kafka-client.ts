import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry, Partitioners, Producer, Transaction } from 'kafkajs';

/** kafkajs log levels mapped onto Nest's logger; kafkajs INFO is noisy, so it becomes debug. */
function logCreator(context: string) {
  const logger = new Logger(context);
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const line = `${message} ${JSON.stringify(extra)}`;
      if (level === logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
      else logger.debug(line);
    };
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs log level; defaults to WARN. */
  level?: logLevel;
}

export function createKafka({ brokers, clientId, level = logLevel.WARN }: KafkaOptions): Kafka {
  return new Kafka({
    brokers,
    clientId,
    logLevel: level,
    logCreator: logCreator(`kafka:${clientId}`),
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
