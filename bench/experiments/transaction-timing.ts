/**
 * How long a Kafka transaction takes when the next one starts right after the previous commit, as
 * the services' per-partition producers do, with two first-retry times: the services' client-wide
 * 200 ms and 10 ms. `npm run bench -- transaction-timing` (BENCH_TRANSACTIONS, 40 each).
 */
import { performance } from 'node:perf_hooks';
import type { Kafka } from 'kafkajs';
import { benchKafka, size, uniqueName } from '../support/bench.env';
import { fmt, summary } from '../support/report';

const TRANSACTIONS = size('TRANSACTIONS', 40);

async function measure(kafka: Kafka, topic: string, initialRetryTime: number): Promise<void> {
  const producer = kafka.producer({
    transactionalId: uniqueName('bench-txn'),
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { initialRetryTime, retries: 8, maxRetryTime: 5_000 },
  });
  await producer.connect();
  const firstSend: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < TRANSACTIONS; i += 1) {
    const started = performance.now();
    const tx = await producer.transaction();
    await tx.send({
      topic,
      messages: Array.from({ length: 20 }, () => ({ key: 'k', value: 'x'.repeat(600) })),
    });
    firstSend.push(performance.now() - started);
    await tx.sendOffsets({
      consumerGroupId: uniqueName('bench-txn-group'),
      topics: [{ topic, partitions: [{ partition: 0, offset: String(i) }] }],
    });
    await tx.commit();
    whole.push(performance.now() - started);
  }
  await producer.disconnect();
  const f = summary(firstSend);
  const w = summary(whole);
  process.stdout.write(
    `  first retry ${String(initialRetryTime).padStart(3)} ms: first send p50 ${fmt(f.p50, 1)} / p95 ${fmt(f.p95, 1)} / max ${fmt(f.max, 1)} ms; ` +
      `whole transaction p50 ${fmt(w.p50, 1)} / p95 ${fmt(w.p95, 1)} / max ${fmt(w.max, 1)} ms\n`,
  );
}

(async () => {
  const kafka = benchKafka(uniqueName('bench-txn'));
  const admin = kafka.admin();
  await admin.connect();
  const topic = uniqueName('bench.txn');
  await admin.createTopics({
    topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  process.stdout.write(
    `\n=== transaction timing: ${TRANSACTIONS} back-to-back transactions of 20 records + offsets ===\n`,
  );
  try {
    for (const retry of [200, 10]) await measure(kafka, topic, retry);
  } finally {
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  }
})().catch((e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
