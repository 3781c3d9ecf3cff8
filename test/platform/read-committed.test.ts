import { Kafka, logLevel } from 'kafkajs';
import { inTransaction, transactionalProducer } from '@app/platform';
import { kafkaBrokers, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';

/**
 * A read_committed consumer resuming inside two aborted transactions gets none of their records
 * (decision 0684). kafkajs 2.2.4 alone hands it the second producer's record: every consumer here
 * reads through the corrected fetch parsing that `@app/platform` installs.
 */
describe('read_committed consumers and aborted transactions', () => {
  const kafka = new TestKafka();
  const client = new Kafka({
    brokers: kafkaBrokers(),
    clientId: uniqueName('rc'),
    logLevel: logLevel.NOTHING,
  });

  afterAll(() => kafka.close());

  test('resuming between the records of two aborted transactions, only committed records are read', async () => {
    const topic = uniqueName('read-committed');
    await kafka.createTopic(topic, 1);
    const [a, b, c] = ['a', 'b', 'c'].map((n) =>
      transactionalProducer(client, { transactionalId: uniqueName(`rc-${n}`) }),
    );
    await Promise.all([a, b, c].map((p) => p.connect()));
    try {
      const send = (txn: Awaited<ReturnType<typeof a.transaction>>, value: string) =>
        txn.send({ topic, messages: [{ partition: 0, value }] });
      // Offsets: a1 0, b1 1, a2 2, b2 3, A's abort marker 4, B's 5, committed 6 (its marker 7).
      const ta = await a.transaction();
      const tb = await b.transaction();
      await send(ta, 'aborted-a1');
      await send(tb, 'aborted-b1');
      await send(ta, 'aborted-a2');
      await send(tb, 'aborted-b2');
      await ta.abort();
      await tb.abort();
      await inTransaction(c, (txn) => send(txn, 'committed'));

      // A group whose committed offset is 3: its consumer's first fetch starts at b2.
      const groupId = uniqueName('rc-group');
      const admin = await kafka.adminClient();
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] });
      const consumer = client.consumer({ groupId, maxWaitTimeInMs: 100 });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic });
        const read: string[] = [];
        // The committed record comes after every aborted one: reading it is the fence.
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`read only ${JSON.stringify(read)}`)), 30_000);
          void consumer.run({
            eachMessage: async ({ message }) => {
              read.push(message.value!.toString());
              if (message.value!.toString() === 'committed') {
                clearTimeout(timer);
                resolve();
              }
            },
          });
        });
        expect(read).toEqual(['committed']);
      } finally {
        await consumer.disconnect();
      }
    } finally {
      await Promise.all([a, b, c].map((p) => p.disconnect()));
    }
  });
});
