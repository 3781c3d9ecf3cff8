import { headerString } from '@app/platform';
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { endOffsets } from '../projection/log.consumer';

export interface RawLogRecord {
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Reads every record of a topic from the beginning up to the end offsets of the moment it starts,
 * with a throw-away consumer group (deleted afterwards), and returns them in log order.
 */
export async function readWholeLog(
  kafka: Kafka,
  topic: string,
  { timeoutMs = 120_000 } = {},
): Promise<RawLogRecord[]> {
  const ends = await endOffsets(kafka, topic);
  const out: RawLogRecord[] = [];
  const positions = new Map<number, bigint>();
  const done = () => [...ends].every(([p, end]) => (positions.get(p) ?? 0n) >= end);
  if (done()) return out;
  const groupId = `callbacks-audit-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200, maxBytesPerPartition: 4 * 1024 * 1024 });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const next = BigInt(payload.lastOffset) + 1n;
    if (next > (positions.get(payload.partition) ?? 0n)) positions.set(payload.partition, next);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition) ?? 0n;
        for (const m of batch.messages) {
          if (BigInt(m.offset) >= end) break;
          out.push({
            partition: batch.partition,
            offset: m.offset,
            timestamp: m.timestamp,
            key: m.key?.toString('utf8') ?? null,
            value: m.value,
            headers: Object.fromEntries(
              Object.keys(m.headers ?? {}).map((k) => [k, headerString(m.headers, k) ?? '']),
            ),
          });
        }
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`reading ${topic} timed out after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
}
