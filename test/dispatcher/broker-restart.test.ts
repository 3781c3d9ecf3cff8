import type { INestApplication } from '@nestjs/common';
import { startDispatcher } from '../../apps/dispatcher/src/dispatcher.app';
import { eventually, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { PrivateBroker } from '../support/private-broker';
import {
  append,
  awaitAttempts,
  configured,
  eventsOf,
  messageSent,
  ofType,
  Receiver,
  testConfig,
} from './dispatcher-fixtures';

const RETRY_DELAY_MS = 20_000;

/**
 * A scheduled retry lives in Kafka, so it must survive the broker itself going down: the broker is
 * stopped and started again between two attempts (a private broker, so other tests are not
 * disturbed), and the retry still fires once, on time.
 */
describe('dispatcher: broker restart between attempts', () => {
  const broker = new PrivateBroker();
  let tk: TestKafka;
  let app: INestApplication | undefined;
  let rx: Receiver;

  beforeAll(async () => {
    await broker.start();
    tk = new TestKafka(broker.brokers);
    rx = await new Receiver((_r, nth) => ({ status: nth === 1 ? 503 : 200 })).start();
  });

  afterAll(async () => {
    await app?.close();
    await rx?.stop();
    await tk?.close();
    await broker.destroy();
  });

  it('fires the scheduled retry once, on time, after the broker was stopped and started again', async () => {
    const config = testConfig({
      KAFKA_BROKERS: broker.brokers.join(','),
      RETRY_DELAY_MS: String(RETRY_DELAY_MS),
      CALLBACK_TIMEOUT_MS: '1000',
    });
    app = await startDispatcher(config, { logger: false });
    const comm = uniqueName('comm');
    await append(
      tk,
      config.logTopic,
      configured(comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${rx.base}/m/\${id}` }]),
      messageSent(comm),
    );
    const [attempt1] = await awaitAttempts(tk, config.logTopic, comm, 1);
    expect(attempt1.data.outcome).toBe('retrying');
    const due = Date.parse(attempt1.data.nextAttemptAt!);

    await broker.stop();
    await broker.start();
    // The broker was really away for part of the wait, and is back before the retry is due.
    expect(Date.now()).toBeLessThan(due);

    await eventually(() => (rx.requests.length >= 2 ? true : undefined), {
      what: 'the retry after the broker restart',
      timeoutMs: RETRY_DELAY_MS + 30_000,
    });
    expect(rx.requests[1].at).toBeGreaterThanOrEqual(due - 50);
    expect(rx.requests[1].at - due).toBeLessThan(2_000);

    await awaitAttempts(tk, config.logTopic, comm, 2);
    const final = ofType(await eventsOf(tk, config.logTopic, comm), 'CallbackAttempted');
    expect(final.map((a) => [a.data.attempt, a.data.outcome])).toEqual([
      [1, 'retrying'],
      [2, 'succeeded'],
    ]);
    expect(rx.requests).toHaveLength(2);
  });
});
