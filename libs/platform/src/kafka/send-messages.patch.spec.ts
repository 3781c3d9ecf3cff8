import createSendMessages from 'kafkajs/src/producer/sendMessages';
import createRetry from 'kafkajs/src/retry';
import { waitingRetries, type SendMessagesFactory } from './send-messages.patch';

/**
 * kafkajs's own `sendMessages` against two fake partition leaders: leader 1 refuses the first
 * AddPartitionsToTxn with CONCURRENT_TRANSACTIONS at once, leader 2's produce takes a while.
 * kafkajs retries while leader 2's request is on its way and sends its records a second time
 * under new sequence numbers (which a broker takes as new records); patched, it does not.
 */
describe('a send retried while another leader is still answering', () => {
  const concurrent = () =>
    Object.assign(new Error('CONCURRENT_TRANSACTIONS'), {
      name: 'KafkaJSProtocolError',
      type: 'CONCURRENT_TRANSACTIONS',
      retriable: true,
    });

  function twoLeaders() {
    const produced: { nodeId: number; partition: number; firstSequence: number }[] = [];
    const sequences = new Map<string, number>();
    let refused = false;
    const broker = (nodeId: number, ms: number) => ({
      nodeId,
      produce: async ({ topicData }: { topicData: { topic: string; partitions: ProducedPartition[] }[] }) => {
        await new Promise((r) => setTimeout(r, ms));
        for (const t of topicData)
          for (const p of t.partitions)
            produced.push({ nodeId, partition: p.partition, firstSequence: p.firstSequence });
        return {
          topics: topicData.map((t) => ({
            topicName: t.topic,
            partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })),
          })),
        };
      },
    });
    const brokers = { 1: broker(1, 0), 2: broker(2, 50) };
    const cluster = {
      targetTopics: new Set<string>(),
      addMultipleTargetTopics: async () => undefined,
      refreshMetadataIfNecessary: async () => undefined,
      refreshMetadata: async () => undefined,
      isConnected: () => true,
      findTopicPartitionMetadata: () => [
        { partitionId: 0, leader: 1 },
        { partitionId: 1, leader: 2 },
      ],
      findLeaderForPartitions: (_topic: string, partitions: string[]) => {
        const byLeader: Record<string, number[]> = {};
        for (const p of partitions.map(Number)) (byLeader[p === 0 ? 1 : 2] ??= []).push(p);
        return byLeader;
      },
      findBroker: async ({ nodeId }: { nodeId: number }) => brokers[nodeId as 1 | 2],
    };
    const eosManager = {
      isTransactional: () => true,
      isInitialized: () => true,
      getTransactionalId: () => 'txn',
      getProducerId: () => 1,
      getProducerEpoch: () => 0,
      acquireBrokerLock: async () => undefined,
      releaseBrokerLock: () => undefined,
      getSequence: (topic: string, partition: number) => sequences.get(`${topic}.${partition}`) ?? 0,
      updateSequence: (topic: string, partition: number, n: number) =>
        sequences.set(`${topic}.${partition}`, (sequences.get(`${topic}.${partition}`) ?? 0) + n),
      addPartitionsToTransaction: async (topicData: { partitions: { partition: number }[] }[]) => {
        if (!refused && topicData.some((t) => t.partitions.some((p) => p.partition === 0))) {
          refused = true;
          throw concurrent();
        }
      },
    };
    const logger = {
      debug: () => undefined,
      error: () => undefined,
      warn: () => undefined,
      info: () => undefined,
    };
    const deps = {
      logger,
      cluster,
      eosManager,
      partitioner: ({ message }: { message: { partition: number } }) => message.partition,
      retrier: createRetry({ initialRetryTime: 10, retries: 5 }),
    };
    const send = (factory: SendMessagesFactory) =>
      (factory(deps) as (args: unknown) => Promise<unknown>)({
        acks: -1,
        timeout: 1000,
        compression: 0,
        topicMessages: [
          {
            topic: 'log',
            messages: [
              { partition: 0, value: 'a' },
              { partition: 1, value: 'b' },
            ],
          },
        ],
      });
    return { send, produced };
  }

  test('given kafkajs as it is, when the retry comes before the slower leader answered, then that leader gets the records twice', async () => {
    // given
    const { send, produced } = twoLeaders();
    // when
    await send(createSendMessages as SendMessagesFactory);
    // then
    expect(produced.filter((p) => p.nodeId === 2)).toEqual([
      { nodeId: 2, partition: 1, firstSequence: 0 },
      { nodeId: 2, partition: 1, firstSequence: 1 },
    ]);
  });

  test('given the patch, when the same happens, then each leader gets the records once', async () => {
    // given
    const { send, produced } = twoLeaders();
    // when
    await send(waitingRetries(createSendMessages as SendMessagesFactory));
    // then
    expect(produced.sort((a, b) => a.nodeId - b.nodeId)).toEqual([
      { nodeId: 1, partition: 0, firstSequence: 0 },
      { nodeId: 2, partition: 1, firstSequence: 0 },
    ]);
  });
});

interface ProducedPartition {
  partition: number;
  firstSequence: number;
}
