import type { INestApplication } from '@nestjs/common';
import type { DispatcherConfig } from '../../apps/dispatcher/src/config/dispatcher.config';
import { startDispatcher } from '../../apps/dispatcher/src/dispatcher.app';
import { eventually, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import {
  append,
  awaitAttempts,
  configured,
  disabled,
  enabled,
  eventsOf,
  messageSent,
  ofType,
  Receiver,
  testConfig,
} from './dispatcher-fixtures';

/**
 * Decision 0623: a handed-off attempt this instance still holds respects the disable epoch. Its
 * communication is disabled and re-enabled by an operator while the (last) attempt runs; the
 * attempt then fails. Recording that failure as CallbackFailed would disable the communication
 * the operator just re-enabled: it is recorded with outcome `cancelled` instead, and the
 * communication's callbacks keep flowing, also while the held result waits to be recorded.
 */
describe('dispatcher: a held attempt and an operator re-enable', () => {
  const tk = new TestKafka();
  let config: DispatcherConfig;
  let app: INestApplication;
  let rx: Receiver;
  const SLOW_MS = 1200;

  beforeAll(async () => {
    config = testConfig({
      MAX_ATTEMPTS: '1',
      CALLBACK_TIMEOUT_MS: '4000',
      BATCH_WAIT_MS: '300',
      RETRY_DELAY_MS: '3000',
      LOG_PARTITIONS: '1',
    });
    app = await startDispatcher(config, { logger: ['warn', 'error'] });
  });

  afterAll(async () => {
    await app?.close();
    await rx?.stop();
    await tk.close();
  });

  it('never disables a communication re-enabled after the attempt started', async () => {
    const comm = uniqueName('epoch');
    const m1 = messageSent(comm);
    rx = await new Receiver((r) =>
      r.url.includes(m1.data.messageId) ? { status: 500, delayMs: SLOW_MS } : { status: 200 },
    ).start();
    await append(
      tk,
      config.logTopic,
      configured(comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${rx.base}/e/\${id}` }]),
      m1,
    );
    await eventually(() => (rx.requests.length === 1 ? true : undefined), { what: 'the slow request' });
    // While it runs (handed off after 300 ms), an operator disables and re-enables.
    await append(tk, config.logTopic, disabled(comm), enabled(comm));
    // After the held attempt failed but before its record comes due (3 s after the hand-off), a new
    // message must be called back: the failure of an earlier epoch stops nothing.
    await new Promise((r) => setTimeout(r, Math.max(0, rx.requests[0].at + SLOW_MS + 300 - Date.now())));
    const m2 = messageSent(comm);
    await append(tk, config.logTopic, m2);
    await eventually(() => (rx.requests.some((r) => r.url.includes(m2.data.messageId)) ? true : undefined), {
      what: 'the callback of m2',
      timeoutMs: 10_000,
    });

    const attempts = await awaitAttempts(tk, config.logTopic, comm, 2, 20_000);
    const held = attempts.find((a) => a.data.triggerEventId === m1.id)!;
    expect(held.data).toMatchObject({ attempt: 1, outcome: 'cancelled', statusCode: 500 });
    expect(attempts.find((a) => a.data.triggerEventId === m2.id)!.data.outcome).toBe('succeeded');
    const events = await eventsOf(tk, config.logTopic, comm);
    expect(ofType(events, 'CallbackFailed')).toEqual([]);
    expect(ofType(events, 'CallbackCancelled').map((e) => [e.data.triggerEventId, e.data.attempts])).toEqual([
      [m1.id, 1],
    ]);

    // Still enabled: a third message is called back too.
    const m3 = messageSent(comm);
    await append(tk, config.logTopic, m3);
    await eventually(() => (rx.requests.some((r) => r.url.includes(m3.data.messageId)) ? true : undefined), {
      what: 'the callback of m3',
      timeoutMs: 10_000,
    });
  }, 60_000);
});
