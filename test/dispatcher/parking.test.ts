import type { INestApplication } from '@nestjs/common';
import { callbackIdOf, PARKED_HEADERS } from '@app/contracts';
import type { Admin } from 'kafkajs';
import type { DispatcherConfig } from '../../apps/dispatcher/src/config/dispatcher.config';
import { startDispatcher } from '../../apps/dispatcher/src/dispatcher.app';
import { eventually, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
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

/**
 * A log record the dispatcher can never commit (here: a configuration whose state snapshot is
 * larger than the operator let the state topic accept) is retried, isolated and parked; the
 * partition goes on. Before, the batch failed and was redone forever.
 */
describe('dispatcher parks a log record it can never commit', () => {
  const tk = new TestKafka();
  let config: DispatcherConfig;
  let app: INestApplication;
  let rx: Receiver;
  let admin: Admin;

  beforeAll(async () => {
    config = testConfig({ LOG_PARTITIONS: '1' });
    rx = await new Receiver().start();
    admin = tk.kafka.admin();
    await admin.connect();
    // Topics as the dispatcher would create them, except a state topic refusing batches over 16 KiB.
    await admin.createTopics({
      topics: [
        { topic: config.logTopic, numPartitions: 1 },
        { topic: config.retryTopic, numPartitions: 1 },
        {
          topic: config.stateTopic,
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'max.message.bytes', value: String(16 * 1024) },
          ],
        },
      ],
      waitForLeaders: true,
    });
    app = await startDispatcher(config, { logger: ['warn', 'error'] });
  });

  afterAll(async () => {
    await app?.close();
    await rx?.stop();
    const topics = [config.logTopic, config.retryTopic, config.stateTopic, config.parkedTopic];
    await admin?.deleteTopics({ topics }).catch(() => undefined);
    await admin?.disconnect();
    await tk.close();
  });

  it('parks the record with its reason, commits the ones around it once, and goes on', async () => {
    const huge = uniqueName('comm-huge');
    const normal = uniqueName('comm-normal');
    // 40 callbacks with 1 KB URL templates: a snapshot of about 45 KB.
    const big = configured(
      huge,
      Array.from({ length: 40 }, (_, i) => ({
        id: `cb-${i}`,
        event: 'MessageSent' as const,
        method: 'GET' as const,
        url: `${rx.base}/huge/${'p'.repeat(1000)}`,
      })),
    );
    const small = configured(normal, [
      { id: 'cb', event: 'MessageSent', method: 'GET', url: `${rx.base}/normal/\${id}` },
    ]);
    const sent = messageSent(normal);
    await append(tk, config.logTopic, big, small, sent);

    const [attempt] = await awaitAttempts(tk, config.logTopic, normal, 1, 60_000);
    expect(attempt.data).toMatchObject({
      callbackId: callbackIdOf(sent.id, 'cb'),
      attempt: 1,
      outcome: 'succeeded',
    });

    const parked = await eventually(
      async () => {
        const records = await tk.readAll(config.parkedTopic);
        return records.length > 0 ? records : undefined;
      },
      { what: 'the parked record' },
    );
    expect(parked).toHaveLength(1);
    expect(parked[0].headers).toMatchObject({
      [PARKED_HEADERS.consumer]: 'dispatcher-log',
      [PARKED_HEADERS.code]: 'MESSAGE_TOO_LARGE',
      [PARKED_HEADERS.sourceTopic]: config.logTopic,
      [PARKED_HEADERS.sourceOffset]: '0',
      [PARKED_HEADERS.eventId]: big.id,
    });
    expect(parked[0].key).toBe(huge);

    // The partition went on: a later communication is called back as usual, and every attempt is
    // on the log once (the batches that failed committed nothing).
    const later = uniqueName('comm-later');
    const laterSent = messageSent(later);
    await append(
      tk,
      config.logTopic,
      configured(later, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${rx.base}/later` }]),
      laterSent,
    );
    await awaitAttempts(tk, config.logTopic, later, 1);
    expect(ofType(await eventsOf(tk, config.logTopic, normal), 'CallbackAttempted')).toHaveLength(1);
    expect(rx.requests.filter((r) => r.url.startsWith('/huge'))).toEqual([]);
    const metrics = await (await fetch(`${await app.getUrl()}/metrics`)).text();
    expect(metrics).toMatch(/records_parked_total\{consumer="dispatcher-log"\} 1/);
  });
});
