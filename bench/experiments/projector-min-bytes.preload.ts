/**
 * What-if experiment, never used by a normal bench run (BENCH_EXPERIMENT=projector-min-bytes): the
 * projector's log consumer fetches with `minBytes` 256 KiB (kafkajs's default 1), so the broker
 * holds a fetch until that much is there or the fetch's 250 ms wait ends. Under load each fetch
 * then brings larger batches, and the projector applies fewer, larger chunks: fewer transactions,
 * statements and commits per event, for up to 250 ms more lag of the history. It measures what the
 * small chunks of a live stream cost the machine (issue 14, rows 1 and 3).
 */
import * as kafkajs from 'kafkajs';

type ConsumerFn = (options: kafkajs.ConsumerConfig) => kafkajs.Consumer;
const proto = kafkajs.Kafka.prototype as unknown as { consumer: ConsumerFn };
const original = proto.consumer;
proto.consumer = function (this: kafkajs.Kafka, options: kafkajs.ConsumerConfig) {
  const projector = /projector/.test(options.groupId);
  return original.call(this, projector ? { ...options, minBytes: 256 * 1024 } : options);
};
