/**
 * What-if experiment, never used by a normal bench run (BENCH_EXPERIMENT=small-fetch): every kafkajs
 * consumer of the services fetches at most BENCH_FETCH_MAX_BYTES (1 MiB) per fetch and
 * BENCH_FETCH_MAX_PARTITION_BYTES (256 KiB) per partition, instead of its own maxBytes and kafkajs's
 * 1 MiB per partition. It tests how much of a service's peak RSS the records in flight hold, and
 * what smaller transactions cost in throughput (issue 14, row 6).
 */
import * as kafkajs from 'kafkajs';

const maxBytes = Number(process.env.BENCH_FETCH_MAX_BYTES ?? 1024 * 1024);
const maxBytesPerPartition = Number(process.env.BENCH_FETCH_MAX_PARTITION_BYTES ?? 256 * 1024);

type ConsumerFn = (options: kafkajs.ConsumerConfig) => kafkajs.Consumer;
const proto = kafkajs.Kafka.prototype as unknown as { consumer: ConsumerFn };
const original = proto.consumer;
proto.consumer = function (this: kafkajs.Kafka, options: kafkajs.ConsumerConfig) {
  return original.call(this, { ...options, maxBytes, maxBytesPerPartition });
};
