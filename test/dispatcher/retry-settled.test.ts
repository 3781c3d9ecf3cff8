import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { startDispatcher } from '../../apps/dispatcher/src/dispatcher.app';
import { kafkaBrokers, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { append, awaitAttempts, configured, messageSent, Receiver, testConfig } from './dispatcher-fixtures';

/**
 * Decision 0620: a retry record fires only while its callback is still pending. Three callbacks
 * are retried once and succeed. The dispatcher is stopped and its group's offsets on the retry
 * topic are reset to the start (a reset group; the log's offsets stay, so the log is not
 * dispatched again): started again, it reads every retry record of the same log once more and must
 * fire none, because each one's done marker follows it. A new callback's retry, written after them
 * on the same (single) partition, is the fence: when it fires, the old records have been read.
 */
describe('dispatcher: retry records of settled callbacks never fire again', () => {
  const tk = new TestKafka();
  const apps: INestApplication[] = [];
  const receivers: Receiver[] = [];
  const failFirst = () => {
    const seen = new Map<string, number>();
    return (r: { headers: Record<string, unknown> }) => {
      const key = String(r.headers['idempotency-key']);
      seen.set(key, (seen.get(key) ?? 0) + 1);
      return { status: seen.get(key) === 1 ? 500 : 200 };
    };
  };

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all(receivers.map((r) => r.stop()));
    await tk.close();
  });

  it('a group reset on the retry topic reads them again and fires none', async () => {
    const config = testConfig({ LOG_PARTITIONS: '1', RETRY_DELAY_MS: '500', CALLBACK_TIMEOUT_MS: '500' });
    const rx = await new Receiver(failFirst()).start();
    receivers.push(rx);
    const comm = uniqueName('settled');
    const cb = [
      { id: 'cb', event: 'MessageSent' as const, method: 'GET' as const, url: `${rx.base}/s/\${id}` },
    ];
    const first = await startDispatcher(config, { logger: ['warn', 'error'] });
    await append(
      tk,
      config.logTopic,
      configured(comm, cb),
      messageSent(comm),
      messageSent(comm),
      messageSent(comm),
    );
    const attempts = await awaitAttempts(tk, config.logTopic, comm, 6, 30_000);
    expect(attempts.filter((e) => e.data.outcome === 'succeeded')).toHaveLength(3);
    await first.close();
    expect(rx.requests).toHaveLength(6);

    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.setOffsets({
        groupId: config.consumerGroup,
        topic: config.retryTopic,
        partitions: [{ partition: 0, offset: '0' }],
      });
    } finally {
      await admin.disconnect();
    }

    apps.push(await startDispatcher(config, { logger: ['warn', 'error'] }));
    const fresh = messageSent(comm);
    await append(tk, config.logTopic, fresh);
    const after = await awaitAttempts(tk, config.logTopic, comm, 8, 30_000);
    expect(after.filter((e) => e.data.triggerEventId === fresh.id).map((e) => e.data.outcome)).toEqual([
      'retrying',
      'succeeded',
    ]);
    expect(after).toHaveLength(8);
    // Six requests before, two for the new callback; none of the settled callbacks fired again.
    expect(rx.requests).toHaveLength(8);
  }, 90_000);
});
