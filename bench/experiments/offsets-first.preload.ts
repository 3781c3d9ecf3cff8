/**
 * What-if experiment (BENCH_EXPERIMENT=offsets-first, decision 0756): every transaction of the services adds its
 * consumer offsets (AddOffsetsToTxn, TxnOffsetCommit) BEFORE it produces, instead of after. Records
 * of an open transaction hold back every read_committed reader of their partition (the last
 * stable offset stops at the transaction's first record) until the commit markers land, including
 * records other producers committed meanwhile; produced last, they are open only for Produce →
 * EndTxn → markers. The sends are held back until sendOffsets (or commit) and then made in order.
 */
import * as kafkajs from 'kafkajs';

type ProducerFn = (options?: kafkajs.ProducerConfig) => kafkajs.Producer;
const proto = kafkajs.Kafka.prototype as unknown as { producer: ProducerFn };
const original = proto.producer;
proto.producer = function (this: kafkajs.Kafka, options?: kafkajs.ProducerConfig) {
  const producer = original.call(this, options);
  if (!options?.transactionalId) return producer;
  const transaction = producer.transaction.bind(producer);
  producer.transaction = async () => {
    const txn = await transaction();
    const held: (() => Promise<unknown>)[] = [];
    const flush = async () => {
      while (held.length > 0) await held.shift()!();
    };
    const sendBatch = txn.sendBatch.bind(txn);
    const send = txn.send.bind(txn);
    const sendOffsets = txn.sendOffsets.bind(txn);
    const commit = txn.commit.bind(txn);
    txn.sendBatch = async (b) => {
      held.push(() => sendBatch(b));
      return [];
    };
    txn.send = async (r) => {
      held.push(() => send(r));
      return [];
    };
    txn.sendOffsets = async (o) => {
      await sendOffsets(o);
      await flush();
    };
    txn.commit = async () => {
      await flush();
      return commit();
    };
    return txn;
  };
  return producer;
};
