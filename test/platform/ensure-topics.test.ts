import { Admin, Kafka, logLevel } from 'kafkajs';
import { ensureTopics } from '@app/platform';
import { kafkaBrokers, uniqueName } from '../support/environment';

/**
 * Services that start together create the shared log topic at the same moment: one create wins,
 * the other gets TOPIC_ALREADY_EXISTS, and for a moment the topic's partitions can refuse offset
 * requests. Every service asks for offsets right after `ensureTopics` (de-duplication window,
 * state topic, checkpoints), so `ensureTopics` must return only when the topic serves them.
 */
describe('ensureTopics with several services starting at once', () => {
  const kafka = new Kafka({
    brokers: kafkaBrokers(),
    clientId: uniqueName('topics'),
    logLevel: logLevel.NOTHING,
  });
  const admins: Admin[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i += 1) {
      const admin = kafka.admin();
      await admin.connect();
      admins.push(admin);
    }
  });
  afterAll(() => Promise.all(admins.map((a) => a.disconnect())));

  it('lets every racing caller read offsets of every partition as soon as it returns', async () => {
    const rounds = 8;
    for (let round = 0; round < rounds; round += 1) {
      const topic = uniqueName('race');
      const other = uniqueName('race-own');
      const results = await Promise.all(
        admins.map(async (admin, i) => {
          // Each caller also creates a topic of its own in the same request, as the dispatcher does.
          const specs = [
            { topic, numPartitions: 6 },
            ...(i === 0 ? [{ topic: other, numPartitions: 3 }] : []),
          ];
          await ensureTopics(admin, specs);
          return Promise.all(specs.map((s) => admin.fetchTopicOffsets(s.topic)));
        }),
      );
      for (const [i, perTopic] of results.entries()) {
        expect(perTopic[0].map((p) => p.partition).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(perTopic[0].every((p) => p.high === '0')).toBe(true);
        if (i === 0) expect(perTopic[1]).toHaveLength(3);
      }
    }
  });

  it('still reports an existing topic with fewer partitions than configured', async () => {
    const topic = uniqueName('narrow');
    await ensureTopics(admins[0], [{ topic, numPartitions: 1 }]);
    await expect(ensureTopics(admins[1], [{ topic, numPartitions: 4 }])).rejects.toThrow(
      `topic ${topic} has 1 partitions, fewer than the configured 4`,
    );
  });
});
