/**
 * What-if experiment, never used by a normal bench run: loaded into the services with
 * BENCH_EXPERIMENT=fast-transaction-retry, it gives every TRANSACTIONAL kafkajs producer a 10 ms
 * first retry instead of the client-wide 200 ms. The next transaction of a producer often starts
 * while the broker is still writing the previous one's commit markers; kafkajs then gets
 * CONCURRENT_TRANSACTIONS on AddPartitionsToTxn and waits its retry time before trying again.
 * Measures what the proposed change (a `retry` option where the apps create these producers)
 * would buy, without touching the apps.
 */
import * as kafkajs from 'kafkajs';

type ProducerFn = (options?: kafkajs.ProducerConfig) => kafkajs.Producer;
const proto = kafkajs.Kafka.prototype as unknown as { producer: ProducerFn };
const original = proto.producer;
proto.producer = function (this: kafkajs.Kafka, options: kafkajs.ProducerConfig = {}) {
  const retry = options.transactionalId
    ? { initialRetryTime: 10, maxRetryTime: 1_000, retries: 10, ...options.retry }
    : options.retry;
  return original.call(this, { ...options, retry });
};
