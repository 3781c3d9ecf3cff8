/**
 * What-if experiment, never used by a normal bench run (BENCH_EXPERIMENT=read-uncommitted): every
 * kafkajs consumer of the services reads uncommitted records. The services need read_committed
 * (an aborted transaction's records must never be delivered or projected), so this is unsafe and
 * only measures what read_committed's visibility costs in latency: a read_committed fetch sees a
 * partition only up to its last stable offset, the first record of the oldest transaction still
 * open on it, so a record waits for its own commit AND for every transaction open before it on
 * the same partition (ingest's six, the dispatcher's own writes to the log).
 */
import * as kafkajs from 'kafkajs';

type ConsumerFn = (options: kafkajs.ConsumerConfig) => kafkajs.Consumer;
const proto = kafkajs.Kafka.prototype as unknown as { consumer: ConsumerFn };
const original = proto.consumer;
proto.consumer = function (this: kafkajs.Kafka, options: kafkajs.ConsumerConfig) {
  return original.call(this, { ...options, readUncommitted: true });
};
