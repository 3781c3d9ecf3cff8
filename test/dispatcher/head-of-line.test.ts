import type { INestApplication } from '@nestjs/common';
import type { DispatcherConfig } from '../../apps/dispatcher/src/config/dispatcher.config';
import { startDispatcher } from '../../apps/dispatcher/src/dispatcher.app';
import { eventually, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import {
  append,
  configured,
  eventsOf,
  messageSent,
  ofType,
  Receiver,
  testConfig,
  awaitAttempts,
  awaitRetriesSettled,
} from './dispatcher-fixtures';

/**
 * Decision 0335 against a real broker and real receivers: a batch waits BATCH_WAIT_MS (300 ms) for
 * its attempts; a slow one (3 s) is handed to the retry topic as an in-flight record, and its result
 * is recorded once, when the record comes due (RETRY_DELAY_MS 5 s after the hand-off).
 */
const timings = { CALLBACK_TIMEOUT_MS: '4000', RETRY_DELAY_MS: '5000', BATCH_WAIT_MS: '300' };
const SLOW_MS = 3000;

interface RetryRecordOnTopic {
  communicationId: string;
  attempt: number;
  inFlight?: true;
}

describe('dispatcher: a slow receiver does not hold up other callbacks', () => {
  const tk = new TestKafka();
  const receivers: Receiver[] = [];
  const apps: INestApplication[] = [];
  let config: DispatcherConfig;

  const receiver = async (reply?: ConstructorParameters<typeof Receiver>[0]) => {
    const r = await new Receiver(reply).start();
    receivers.push(r);
    return r;
  };
  const start = async (c: DispatcherConfig) => {
    const app = await startDispatcher(c, { logger: ['warn', 'error'] });
    apps.push(app);
    return app;
  };
  const attemptsOf = async (c: DispatcherConfig, communicationId: string) =>
    ofType(await eventsOf(tk, c.logTopic, communicationId), 'CallbackAttempted');
  const retryRecordsOf = async (c: DispatcherConfig, communicationId: string) =>
    (await tk.readJson<RetryRecordOnTopic>(c.retryTopic)).filter(
      (r) => r.communicationId === communicationId,
    );

  beforeAll(async () => {
    config = testConfig(timings);
    await start(config);
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all(receivers.map((r) => r.stop()));
    await tk.close();
  });

  it('delivers callbacks of later batches while a slow one runs, and records the slow attempt once', async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: SLOW_MS, body: 'slow but fine' }));
    const fast = await receiver();
    const slowComm = uniqueName('slow');
    const fastComm = uniqueName('fast');
    await append(
      tk,
      config.logTopic,
      configured(slowComm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${slow.base}/s/\${id}` }]),
      configured(fastComm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${fast.base}/f/\${id}` }]),
      messageSent(slowComm),
    );
    await eventually(() => (slow.requests.length === 1 ? true : undefined), {
      what: 'the slow request',
      timeoutMs: 15_000,
    });
    const slowStarted = slow.requests[0].at;

    // Three later batches for the fast receiver, while the slow request is still running.
    const delays: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const sentAt = Date.now();
      await append(tk, config.logTopic, messageSent(fastComm));
      await eventually(() => (fast.requests.length === i + 1 ? true : undefined), {
        what: `fast callback ${i + 1}`,
        timeoutMs: 10_000,
        intervalMs: 20,
      });
      delays.push(fast.requests[i].at - sentAt);
    }
    expect(Math.max(...delays)).toBeLessThan(1000);
    expect(fast.requests[2].at).toBeLessThan(slowStarted + SLOW_MS);
    // The fast callbacks are recorded right away, not after the slow one.
    const fastAttempts = await eventually(
      async () => {
        const a = await attemptsOf(config, fastComm);
        return a.length === 3 ? a : undefined;
      },
      { what: 'three fast attempts', timeoutMs: 10_000 },
    );
    expect(fastAttempts.every((a) => a.data.outcome === 'succeeded')).toBe(true);
    expect(await attemptsOf(config, slowComm)).toEqual([]);
    expect(await retryRecordsOf(config, slowComm)).toEqual([
      expect.objectContaining({ attempt: 1, inFlight: true }),
    ]);

    // The hand-off record comes due: the result of the request already made is recorded, once.
    const [attempt] = await awaitAttempts(tk, config.logTopic, slowComm, 1, 15_000);
    expect(attempt.data).toMatchObject({ attempt: 1, outcome: 'succeeded', statusCode: 200 });
    expect(attempt.data.durationMs).toBeGreaterThanOrEqual(SLOW_MS - 100);
    expect(attempt.data.responseSnippet).toBe('slow but fine');
    // Fence: the hand-off record is settled by its done marker, so it can never fire again.
    await awaitRetriesSettled(tk, config.retryTopic, slowComm);
    expect(await attemptsOf(config, slowComm)).toHaveLength(1);
    expect(slow.requests).toHaveLength(1);
  });

  it('hands off a slow retry too, and records every attempt number exactly once', async () => {
    const slow = await receiver((_r, nth) => ({ status: nth === 1 ? 500 : 200, delayMs: SLOW_MS }));
    const comm = uniqueName('slowretry');
    await append(
      tk,
      config.logTopic,
      configured(comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${slow.base}/r/\${id}` }]),
      messageSent(comm),
    );
    const attempts = await awaitAttempts(tk, config.logTopic, comm, 2, 40_000);
    expect(attempts.map((a) => [a.data.attempt, a.data.outcome, a.data.statusCode])).toEqual([
      [1, 'retrying', 500],
      [2, 'succeeded', 200],
    ]);
    expect(slow.requests).toHaveLength(2);
    // Both attempts went through the in-flight hand-off: the first from the log, the second from
    // the retry topic; the regular retry record sits between them.
    const records = await retryRecordsOf(config, comm);
    expect(records.map((r) => [r.attempt, r.inFlight ?? false])).toEqual([
      [1, true],
      [2, false],
      [2, true],
    ]);
  }, 60_000);

  it('sends a handed-off attempt again when the process that held it is gone', async () => {
    // No drain: the process stops as if it had crashed, with its request still running.
    const own = testConfig({ ...timings, SHUTDOWN_DRAIN_MS: '0' });
    const first = await start(own);
    const slow = await receiver(() => ({ status: 200, delayMs: SLOW_MS }));
    const comm = uniqueName('moved');
    await append(
      tk,
      own.logTopic,
      configured(comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${slow.base}/m/\${id}` }]),
      messageSent(comm),
    );
    await eventually(
      async () => ((await retryRecordsOf(own, comm)).some((r) => r.inFlight) ? true : undefined),
      { what: 'the in-flight record', timeoutMs: 15_000, intervalMs: 250 },
    );
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    await start(own);

    const attempts = await awaitAttempts(tk, own.logTopic, comm, 1, 30_000);
    expect(attempts.map((a) => [a.data.attempt, a.data.outcome])).toEqual([[1, 'succeeded']]);
    expect(slow.requests).toHaveLength(2);
    expect(slow.requests[1].headers['idempotency-key']).toBe(slow.requests[0].headers['idempotency-key']);
  }, 60_000);

  it('a stopping process records its handed-off attempt before it leaves: the next one sends nothing again (0683)', async () => {
    const own = testConfig(timings);
    const first = await start(own);
    const slow = await receiver(() => ({ status: 200, delayMs: SLOW_MS }));
    const comm = uniqueName('drained');
    await append(
      tk,
      own.logTopic,
      configured(comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${slow.base}/d/\${id}` }]),
      messageSent(comm),
    );
    await eventually(
      async () => ((await retryRecordsOf(own, comm)).some((r) => r.inFlight) ? true : undefined),
      { what: 'the in-flight record', timeoutMs: 15_000, intervalMs: 250 },
    );
    const stopping = Date.now();
    await first.close();
    const stoppedMs = Date.now() - stopping;
    apps.splice(apps.indexOf(first), 1);
    // Recorded by the stopping process as soon as the request ended, not when its record came due.
    const attempts = await awaitAttempts(tk, own.logTopic, comm, 1, 5_000);
    expect(attempts.map((a) => [a.data.attempt, a.data.outcome])).toEqual([[1, 'succeeded']]);
    expect(stoppedMs).toBeLessThan(SLOW_MS + 5_000);
    // The fence: its in-flight record is settled (a done marker names it), so no process, this
    // one restarted or another, ever fires it again; the receiver saw one request.
    await awaitRetriesSettled(tk, own.retryTopic, comm);
    expect(slow.requests).toHaveLength(1);
  }, 60_000);
});
