import { LogIdentityError, LogIdentityReader } from '@app/platform';
import type { Admin } from 'kafkajs';
import { eventually, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';

/** The topic id and cluster id as the real broker reports them (Metadata v10+, not kafkajs's v6). */
describe('LogIdentityReader', () => {
  const tk = new TestKafka();
  const sut = new LogIdentityReader(tk.kafka);
  let admin: Admin;

  beforeAll(async () => {
    admin = tk.kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await sut.close();
    await admin.disconnect();
    await tk.close();
  });

  it('reads the cluster id kafkajs reports and a topic id that changes when the topic is recreated', async () => {
    const topic = uniqueName('identity');
    await tk.createTopic(topic, 2);
    const first = await sut.read(topic);
    expect(first.topic).toBe(topic);
    expect(first.clusterId).toBe((await admin.describeCluster()).clusterId);
    expect(first.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await sut.read(topic)).toEqual(first);

    await admin.deleteTopics({ topics: [topic] });
    await expect(sut.read(topic)).rejects.toMatchObject({ code: 'topic-not-found' });
    await eventually(
      async () => {
        await tk.createTopic(topic, 2);
        return true;
      },
      { what: 'the topic to be created again', intervalMs: 200 },
    );
    const second = await sut.read(topic);
    expect(second.clusterId).toBe(first.clusterId);
    expect(second.topicId).not.toBe(first.topicId);
  });

  it('says a topic that does not exist is not found, as a typed error', async () => {
    const e = await sut.read(uniqueName('missing')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LogIdentityError);
    expect(e).toMatchObject({ code: 'topic-not-found' });
  });
});
