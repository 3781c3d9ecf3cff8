import type { INestApplication } from '@nestjs/common';
import { LogIdentityReader } from '@app/platform';
import { startDispatcher } from '../../apps/dispatcher/src/dispatcher.app';
import { eventually, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import {
  append,
  awaitAttempts,
  configured,
  disabled,
  eventsOf,
  messageSent,
  ofType,
  Receiver,
  testConfig,
} from './dispatcher-fixtures';

const RETRY_DELAY_MS = 4_000;

/**
 * The retry and state topics outlive the log topic: here the log is deleted and created again
 * under the same name while the dispatcher runs (what a reset or a recreated topic does). The
 * old log's scheduled retry must not fire, its state (a disabled communication, offsets of the
 * old log) must not suppress the new log's callbacks, and kafkajs must not skip the new log's
 * first records by carrying on at its old position.
 */
describe('dispatcher: the log is recreated under it', () => {
  const tk = new TestKafka();
  let app: INestApplication | undefined;
  const rx = new Receiver((r) => ({ status: r.url.startsWith('/new/ok/') ? 200 : 500 }));
  const config = testConfig({ LOG_PARTITIONS: '1', RETRY_DELAY_MS: String(RETRY_DELAY_MS) });
  const requestsTo = (prefix: string) => rx.requests.filter((r) => r.url.startsWith(prefix));

  beforeAll(async () => {
    await rx.start();
  });
  afterAll(async () => {
    await app?.close();
    await rx.stop();
    await tk.close();
  });

  it('ignores the old log’s retry and state records and dispatches every event of the new log', async () => {
    app = await startDispatcher(config, { logger: false });
    const reader = new LogIdentityReader(tk.kafka);
    const oldLog = await reader.read(config.logTopic);

    // Old log: c2 is disabled (state), c1's callback fails once and has a retry scheduled.
    const c1 = uniqueName('c1');
    const c2 = uniqueName('c2');
    const cb = (path: string) => [
      { id: 'cb', event: 'MessageSent' as const, method: 'GET' as const, url: `${rx.base}${path}/\${id}` },
    ];
    await append(
      tk,
      config.logTopic,
      configured(c2, cb('/old')),
      disabled(c2),
      configured(c1, cb('/old')),
      messageSent(c1),
    );
    const [first] = await awaitAttempts(tk, config.logTopic, c1, 1);
    expect(first.data.outcome).toBe('retrying');
    const oldRetryDue = Date.parse(first.data.nextAttemptAt!);

    // The same topic name, another log: offsets start again at 0.
    await tk.recreateTopic(config.logTopic, 1);
    const newLog = await reader.read(config.logTopic).finally(() => reader.close());
    expect(newLog.topicId).not.toBe(oldLog.topicId);

    // New log: c2 again (same id), enabled, with a receiver that answers; c3 fails once (fence).
    const c3 = uniqueName('c3');
    const m2 = messageSent(c2);
    const m3 = messageSent(c3);
    await append(tk, config.logTopic, configured(c2, cb('/new/ok')), m2, configured(c3, cb('/new/fail')), m3);

    await eventually(() => (requestsTo('/new/ok/').length >= 1 ? true : undefined), {
      what: "the new log's first callback",
    });
    // c3's retry is scheduled after the old c1 retry, in the same retry partition: once it has
    // fired, the old record before it was handled, and it must have been skipped.
    await eventually(() => (requestsTo('/new/fail/').length >= 2 ? true : undefined), {
      what: "the new log's retry",
      timeoutMs: RETRY_DELAY_MS + 30_000,
    });
    expect(Date.now()).toBeGreaterThan(oldRetryDue);
    expect(requestsTo('/old/')).toHaveLength(1);
    expect(requestsTo('/new/ok/').map((r) => r.url)).toEqual([`/new/ok/${m2.data.messageId}`]);

    // Nothing of the old log's callbacks was written to the new log.
    const onNewLog = [
      ...(await eventsOf(tk, config.logTopic, c1)),
      ...(await eventsOf(tk, config.logTopic, c2)),
    ];
    expect(ofType(onNewLog, 'CallbackAttempted').map((e) => e.data.messageId)).toEqual([m2.data.messageId]);

    const health = (await fetch(`${await app.getUrl()}/health`).then((r) => r.json())) as {
      info: { log: string };
    };
    expect(health.info.log).toContain(`topic id ${newLog.topicId}`);
    const metrics = await fetch(`${await app.getUrl()}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/dispatcher_foreign_records_total\{role="retry"\} [1-9]/);
    expect(metrics).toMatch(/dispatcher_foreign_records_total\{role="state"\} [1-9]/);
  });
});
