/**
 * The raw limit of an exactly-once consume → produce loop with kafkajs (issue 14, row 4): what
 * ingest does minus everything that is ingest's own. A plain consumer reads a topic from its
 * start; each partition's batch is copied byte for byte to another topic in one transaction with
 * its consumer offsets, one transactional producer per partition, partitions concurrently — the
 * shape of ingest's loop, without decoding, validating, de-duplicating or encoding anything.
 * Runs in the bench's own process, like the raw producer it is compared with.
 */
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { inTransaction, transactionalProducer } from '@app/platform';
import { benchKafka } from './bench.env';

/** Copies `from` (read to its end offsets now) to `to`; returns the seconds from first to last commit. */
export async function rawPipe(from: string, to: string, partitions: number): Promise<number> {
  const kafka = benchKafka(`bench-raw-pipe-${randomUUID()}`);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `bench-raw-pipe-${randomUUID()}`;
  const ends = new Map((await admin.fetchTopicOffsets(from)).map((o) => [o.partition, BigInt(o.high)]));
  const positions = new Map<number, bigint>();
  const producers = new Map<number, Producer>();
  const producerOf = async (partition: number): Promise<Producer> => {
    let producer = producers.get(partition);
    if (!producer) {
      producer = transactionalProducer(kafka, { transactionalId: `${groupId}-${partition}` });
      await producer.connect();
      producers.set(partition, producer);
    }
    return producer;
  };
  // The same fetch settings as ingest's consumer.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, maxBytes: 4 * 1024 * 1024 });
  const done = () => [...ends].every(([p, end]) => (positions.get(p) ?? 0n) >= end);
  let first = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  try {
    // Producers first, as ingest takes its partitions over before their first batch.
    for (const p of ends.keys()) await producerOf(p);
    await consumer.connect();
    await consumer.subscribe({ topic: from, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: partitions,
      eachBatch: async ({ batch, resolveOffset }) => {
        if (batch.messages.length === 0) return;
        first ||= Date.now();
        const last = batch.lastOffset();
        const messages = batch.messages.map((m) => ({ key: m.key, value: m.value }));
        await inTransaction(await producerOf(batch.partition), async (txn) => {
          await txn.send({ topic: to, acks: -1, messages });
          await txn.sendOffsets({
            consumerGroupId: groupId,
            topics: [
              {
                topic: from,
                partitions: [{ partition: batch.partition, offset: String(BigInt(last) + 1n) }],
              },
            ],
          });
        });
        resolveOffset(last);
        positions.set(batch.partition, BigInt(last) + 1n);
        if (done()) finish();
      },
    });
    const deadline = setTimeout(() => finish(), 15 * 60_000);
    await finished;
    clearTimeout(deadline);
    if (!done()) throw new Error('the raw pipe did not reach the end of its topic in 15 minutes');
    return (Date.now() - first) / 1000;
  } finally {
    await consumer.disconnect();
    for (const producer of producers.values()) await producer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
