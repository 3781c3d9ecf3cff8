import type { INestApplication } from '@nestjs/common';
import { startDispatcher } from '../../apps/dispatcher/src/dispatcher.app';
import type { DispatcherConfig } from '../../apps/dispatcher/src/config/dispatcher.config';
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
} from './dispatcher-fixtures';

describe('dispatcher: server-side request forgery guard', () => {
  const tk = new TestKafka();
  let config: DispatcherConfig;
  let app: INestApplication;
  let rx: Receiver;

  beforeAll(async () => {
    rx = await new Receiver().start();
    // The production default: no allow-list. One attempt, so the test need not wait for retries.
    config = testConfig({ SSRF_ALLOWED_NETWORKS: '', MAX_ATTEMPTS: '1' });
    app = await startDispatcher(config, { logger: ['warn', 'error'] });
  });

  afterAll(async () => {
    await app?.close();
    await rx.stop();
    await tk.close();
  });

  it('blocks a callback to a loopback address when the allow-list is empty', async () => {
    const comm = uniqueName('comm');
    await append(
      tk,
      config.logTopic,
      configured(comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${rx.base}/m/\${id}` }]),
      messageSent(comm),
    );
    const events = await eventually(
      async () => {
        const e = await eventsOf(tk, config.logTopic, comm);
        return ofType(e, 'CallbackFailed').length > 0 ? e : undefined;
      },
      { what: 'CallbackFailed' },
    );
    const [attempt] = ofType(events, 'CallbackAttempted');
    expect(attempt.data).toMatchObject({ outcome: 'failed', statusCode: null, error: { kind: 'blocked' } });
    expect(ofType(events, 'CallbackFailed')[0].data.reason.kind).toBe('blocked');
    expect(rx.requests).toHaveLength(0);
  });
});
