/**
 * Measurement, never used by a normal bench run (BENCH_EXPERIMENT=stage-timing): splits a
 * service's share of the latency into stages without touching the apps. For every consumer group
 * it records how old each fetched record is when its batch reaches eachBatch (now − the record's
 * CreateTime, set by its producer at send), and how long the batch then takes; for every
 * transaction, the time from begin to the end of its first send, of sendOffsets and of commit.
 * Written as JSON (p50 / p90 / p99 / max in ms) to .local/bench-trace/<service>-<pid>.json when the
 * service is stopped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as kafkajs from 'kafkajs';

const samples = new Map<string, number[]>();
const note = (key: string, ms: number) => {
  let list = samples.get(key);
  if (!list) samples.set(key, (list = []));
  if (list.length < 200_000) list.push(ms);
};

type ConsumerFn = (options: kafkajs.ConsumerConfig) => kafkajs.Consumer;
type ProducerFn = (options?: kafkajs.ProducerConfig) => kafkajs.Producer;
const proto = kafkajs.Kafka.prototype as unknown as { consumer: ConsumerFn; producer: ProducerFn };

const consumerOf = proto.consumer;
proto.consumer = function (this: kafkajs.Kafka, options: kafkajs.ConsumerConfig) {
  const consumer = consumerOf.call(this, options);
  const run = consumer.run.bind(consumer);
  const group = options.groupId.replace(/[0-9a-f]{8,}|\d{6,}/g, '*');
  consumer.run = (config) => {
    const eachBatch = config?.eachBatch;
    if (!eachBatch) return run(config);
    return run({
      ...config,
      eachBatch: async (payload) => {
        const now = Date.now();
        const topic = payload.batch.topic.replace(/\.[^.]*$/, '');
        for (const m of payload.batch.messages) {
          // Only the bench's MessageSent events, split by path (the inbound path's communications
          // are named latency-in-…); the service's own events are written by itself.
          if (!m.value?.includes('"MessageSent"')) continue;
          const via = m.key?.toString().startsWith('latency-in') ? 'via ingest' : 'direct';
          note(`fetch age ${group} ${topic} ${via}`, now - Number(m.timestamp));
        }
        const t0 = performance.now();
        try {
          return await eachBatch(payload);
        } finally {
          if (payload.batch.messages.length > 0) note(`batch time ${group} ${topic}`, performance.now() - t0);
        }
      },
    });
  };
  return consumer;
};

const producerOf = proto.producer;
proto.producer = function (this: kafkajs.Kafka, options?: kafkajs.ProducerConfig) {
  const producer = producerOf.call(this, options);
  if (!options?.transactionalId) return producer;
  const transaction = producer.transaction.bind(producer);
  producer.transaction = async () => {
    const t0 = performance.now();
    const txn = await transaction();
    let sent = false;
    const send = txn.send.bind(txn);
    const sendBatch = txn.sendBatch.bind(txn);
    const sendOffsets = txn.sendOffsets.bind(txn);
    const commit = txn.commit.bind(txn);
    const first = () => {
      if (!sent) note('txn begin → first send done', performance.now() - t0);
      sent = true;
    };
    txn.send = async (r) => {
      const out = await send(r);
      first();
      return out;
    };
    txn.sendBatch = async (r) => {
      const out = await sendBatch(r);
      first();
      return out;
    };
    txn.sendOffsets = async (o) => {
      const t = performance.now();
      await sendOffsets(o);
      note('txn sendOffsets', performance.now() - t);
    };
    txn.commit = async () => {
      const t = performance.now();
      await commit();
      note('txn commit (EndTxn)', performance.now() - t);
      note('txn whole', performance.now() - t0);
    };
    return txn;
  };
  return producer;
};

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
let written = false;
const write = () => {
  if (written) return;
  written = true;
  const out: Record<string, string> = {};
  for (const [key, list] of [...samples.entries()].sort()) {
    const s = [...list].sort((a, b) => a - b);
    const f = (x: number) => x.toFixed(1);
    out[key] =
      `n ${s.length} p50 ${f(pct(s, 0.5))} p90 ${f(pct(s, 0.9))} p99 ${f(pct(s, 0.99))} max ${f(s[s.length - 1])}`;
  }
  // The compiled preload is in .local/bench-build/bench/experiments: four levels below the checkout.
  const dir = path.resolve(__dirname, '..', '..', '..', '..', '.local', 'bench-trace');
  mkdirSync(dir, { recursive: true });
  const service = /apps\/(\w+)\/src\/main/.exec(process.argv[1] ?? '')?.[1] ?? 'service';
  writeFileSync(path.join(dir, `${service}-${process.pid}.json`), JSON.stringify(out, null, 1));
};
process.once('SIGTERM', write);
process.on('exit', write);
