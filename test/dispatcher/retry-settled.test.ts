import type { INestApplication } from '@nestjs/common';
import type { LogEvent } from '@app/contracts';
import { startDispatcher } from '../../apps/dispatcher/src/dispatcher.app';
import { uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { append, awaitAttempts, configured, messageSent, Receiver, testConfig } from './dispatcher-fixtures';

/**
 * Decision 0620: a retry record fires only while its callback is still pending. Deployment A
 * retries three callbacks once and they succeed. Deployment B then starts on the same broker with
 * a new consumer group and its own log, but the same retry and state topics (the defaults a second
 * deployment would share): it reads the retry topic from the start, and must fire none of A's
 * settled records, nor write anything about them into its own log. B's own retry, written after
 * A's records on the same (single) partition, is the fence: when it fires, B has read past them.
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

  it('a new group with its own log, sharing the retry and state topics, fires none of them', async () => {
    const timings = { LOG_PARTITIONS: '1', RETRY_DELAY_MS: '500', CALLBACK_TIMEOUT_MS: '500' };
    const a = testConfig(timings);
    const rxA = await new Receiver(failFirst()).start();
    receivers.push(rxA);
    const first = await startDispatcher(a, { logger: ['warn', 'error'] });
    const commA = uniqueName('settled-a');
    await append(
      tk,
      a.LOG_TOPIC,
      configured(commA, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${rxA.base}/a/\${id}` }]),
      messageSent(commA),
      messageSent(commA),
      messageSent(commA),
    );
    const attemptsA = await awaitAttempts(tk, a.LOG_TOPIC, commA, 6, 30_000);
    expect(attemptsA.filter((e) => e.data.outcome === 'succeeded')).toHaveLength(3);
    await first.close();
    expect(rxA.requests).toHaveLength(6);

    const b = testConfig({ ...timings, RETRY_TOPIC: a.RETRY_TOPIC, STATE_TOPIC: a.STATE_TOPIC });
    expect([b.CONSUMER_GROUP, b.LOG_TOPIC]).not.toEqual([a.CONSUMER_GROUP, a.LOG_TOPIC]);
    const rxB = await new Receiver(failFirst()).start();
    receivers.push(rxB);
    apps.push(await startDispatcher(b, { logger: ['warn', 'error'] }));
    const commB = uniqueName('settled-b');
    await append(
      tk,
      b.LOG_TOPIC,
      configured(commB, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${rxB.base}/b/\${id}` }]),
      messageSent(commB),
    );
    const attemptsB = await awaitAttempts(tk, b.LOG_TOPIC, commB, 2, 30_000);
    expect(attemptsB.map((e) => [e.data.attempt, e.data.outcome])).toEqual([
      [1, 'retrying'],
      [2, 'succeeded'],
    ]);
    expect(rxA.requests).toHaveLength(6);
    const logB = await tk.readJson<LogEvent>(b.LOG_TOPIC);
    expect(logB.filter((e) => e.communicationId === commA)).toEqual([]);
  }, 90_000);
});
