import { CompressionTypes } from 'kafkajs';
import { eventually, uniqueName } from './support/environment';
import { TestKafka } from './support/kafka';

/**
 * Proves that the pinned broker and kafkajs agree on everything the services rely on: consumer
 * groups, idempotent produce, and transactions that commit consumer offsets (consume → produce
 * exactly once). Kafka 4 dropped old protocol versions, so this is checked, not assumed.
 */
describe('the Kafka broker the project runs', () => {
  const tk = new TestKafka();
  afterAll(() => tk.close());

  it('commits a transaction with consumer offsets and aborts another without a trace', async () => {
    const input = uniqueName('txn-in');
    const output = uniqueName('txn-out');
    const group = uniqueName('txn-group');
    await tk.createTopic(input);
    await tk.createTopic(output);
    await tk.send(input, [{ value: 'a' }, { value: 'b' }]);

    const producer = tk.kafka.producer({
      transactionalId: uniqueName('txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const consumer = tk.kafka.consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic: input, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const value = message.value!.toString();
        const txn = await producer.transaction();
        await txn.send({
          topic: output,
          compression: CompressionTypes.None,
          messages: [{ value: value.toUpperCase() }],
        });
        await txn.sendOffsets({
          consumerGroupId: group,
          topics: [{ topic, partitions: [{ partition, offset: (BigInt(message.offset) + 1n).toString() }] }],
        });
        if (value === 'b') await txn.abort();
        else await txn.commit();
        seen.push(value);
      },
    });
    await eventually(() => (seen.length >= 2 ? true : undefined), { what: 'both inputs consumed' });
    await consumer.disconnect();
    await producer.disconnect();

    // read_committed (kafkajs default) sees only the committed transaction's record.
    const out = await tk.readAll(output);
    expect(out.map((r) => r.value!.toString())).toEqual(['A']);

    const admin = tk.kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [input] });
    await admin.disconnect();
    // Only the committed transaction moved the group's offset (past 'a', not past 'b').
    expect(offsets[0].partitions[0].offset).toBe('1');
  });
});
