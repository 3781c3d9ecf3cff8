/**
 * What-if experiment, never used by a normal bench run (BENCH_EXPERIMENT=short-fetch-wait): every
 * kafkajs consumer of the services fetches with `maxWaitTimeInMs: 10` instead of their 250 (100 for
 * the dispatcher's state reader). It tests whether a fetch's wait adds latency when the backlog is
 * shallow. With kafkajs's `minBytes: 1` the broker should answer a parked fetch as soon as one
 * record (for read_committed readers: one commit) arrives, so the wait should only bound idle
 * polling; if latency through ingest falls with this experiment, it does not.
 */
import * as kafkajs from 'kafkajs';

type ConsumerFn = (options: kafkajs.ConsumerConfig) => kafkajs.Consumer;
const proto = kafkajs.Kafka.prototype as unknown as { consumer: ConsumerFn };
const original = proto.consumer;
proto.consumer = function (this: kafkajs.Kafka, options: kafkajs.ConsumerConfig) {
  return original.call(this, { ...options, maxWaitTimeInMs: 10 });
};
