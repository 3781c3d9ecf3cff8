/**
 * What-if experiment, never used by a normal bench run (BENCH_EXPERIMENT=retry-add-offsets): a
 * transaction's `sendOffsets` is retried (10 ms apart, at most 20 times) when the broker answers
 * CONCURRENT_TRANSACTIONS. kafkajs 2.2.4 retries `AddPartitionsToTxn` but not `AddOffsetsToTxn`
 * (src/producer/eosManager/index.js, sendOffsets), so a transaction whose FIRST request is
 * AddOffsetsToTxn — a batch that produces nothing, such as a dispatcher batch of its own
 * CallbackAttempted events read back from the log — fails whenever the previous commit's markers
 * are still being written, and the services then drop and rebuild the partition's producer.
 */
import * as kafkajs from 'kafkajs';

type ProducerFn = (options?: kafkajs.ProducerConfig) => kafkajs.Producer;
const proto = kafkajs.Kafka.prototype as unknown as { producer: ProducerFn };
const original = proto.producer;
const concurrent = (e: unknown) => (e as { type?: string }).type === 'CONCURRENT_TRANSACTIONS';

proto.producer = function (this: kafkajs.Kafka, options?: kafkajs.ProducerConfig) {
  const producer = original.call(this, options);
  const transaction = producer.transaction.bind(producer);
  producer.transaction = async () => {
    const txn = await transaction();
    const sendOffsets = txn.sendOffsets.bind(txn);
    txn.sendOffsets = async (offsets) => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await sendOffsets(offsets);
        } catch (e) {
          if (!concurrent(e) || attempt >= 20) throw e;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    };
    return txn;
  };
  return producer;
};
