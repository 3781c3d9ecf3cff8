import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { callbackIdOf, validateEvent, type LogEvent } from '@app/contracts';
import type { DispatcherConfig } from '../../apps/dispatcher/src/config/dispatcher.config';
import { startDispatcher } from '../../apps/dispatcher/src/dispatcher.app';
import { eventually, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import {
  append,
  completed,
  configured,
  deliveryProblem,
  disabled,
  enabled,
  eventsOf,
  messageSent,
  ofType,
  Receiver,
  refusedPort,
  statusChanged,
  testConfig,
} from './dispatcher-fixtures';

/**
 * The dispatcher against a real broker and real receivers on 127.0.0.1: one dispatcher for the
 * file (fresh topics), each test with its own communications. Timeout 500 ms, retry delay 1500 ms.
 */
describe('dispatcher: callbacks from the event log', () => {
  const tk = new TestKafka();
  const receivers: Receiver[] = [];
  let config: DispatcherConfig;
  let app: INestApplication;

  const receiver = async (reply?: ConstructorParameters<typeof Receiver>[0]) => {
    const r = await new Receiver(reply).start();
    receivers.push(r);
    return r;
  };
  const attemptsOf = async (communicationId: string) =>
    ofType(await eventsOf(tk, config.logTopic, communicationId), 'CallbackAttempted');

  beforeAll(async () => {
    config = testConfig();
    app = await startDispatcher(config, { logger: ['warn', 'error'] });
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(receivers.map((r) => r.stop()));
    await tk.close();
  });

  it('calls each event type back with substituted, structure-safe URLs, credentials and a verifiable signature', async () => {
    const rx = await receiver();
    const comm = uniqueName('comm');
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const signingSecret = `whsec_${randomBytes(24).toString('base64')}`;
    const cfg = configured(
      comm,
      [
        {
          id: 'sent',
          event: 'MessageSent',
          method: 'GET',
          url: `${rx.base}/sent/\${name}/\${id}/\${memberId}?q=\${q}&env=\${region}`,
          basic: { username: 'app-user', password },
        },
        {
          id: 'problem',
          event: 'MessageDeliveryProblem',
          method: 'POST',
          url: `${rx.base}/problem/\${id}/\${communicationId}`,
        },
        {
          id: 'status',
          event: 'MessageDeliveryStatusChanged',
          method: 'GET',
          url: `${rx.base}/status/\${id}`,
        },
        {
          id: 'done',
          event: 'CommunicationCompleted',
          method: 'POST',
          url: `${rx.base}/done/\${batchId}/\${communicationId}?env=\${region}`,
          signingSecret,
        },
      ],
      { region: 'eu west/1' },
    );
    const hostile = '../x?y=1#z é';
    const sent = messageSent(comm, { name: hostile, id: 'member-42', q: 'a&b=c' });
    const problem = deliveryProblem(comm);
    const delivered = statusChanged(comm, 'delivered');
    const failed = statusChanged(comm, 'failed');
    const done = completed(comm, 'batch-7');
    await append(tk, config.logTopic, cfg, sent, problem, delivered, failed, done);

    await eventually(() => (rx.requests.length >= 5 ? true : undefined), {
      what: '5 callbacks',
      timeoutMs: 20_000,
    });
    const byPath = (p: string) => rx.requests.filter((r) => r.url.startsWith(p));

    // MessageSent: the member has an `id`, so ${id} is the member's and ${memberId} the message's.
    const [s] = byPath('/sent/');
    expect(s.method).toBe('GET');
    const u = new URL(s.url, rx.base);
    const segments = u.pathname.split('/').slice(1);
    expect(segments).toHaveLength(4);
    expect(segments.slice(1).map(decodeURIComponent)).toEqual([hostile, 'member-42', sent.data.messageId]);
    expect(Object.fromEntries(u.searchParams)).toEqual({ q: 'a&b=c', env: 'eu west/1' });
    expect(s.headers.authorization).toBe(`Basic ${Buffer.from(`app-user:${password}`).toString('base64')}`);
    expect(s.headers['idempotency-key']).toBe(callbackIdOf(sent.id, 'sent'));

    // Without an `id` attribute, ${id} is the message's UUID.
    const [p] = byPath('/problem/');
    expect(p.method).toBe('POST');
    expect(p.body).toBe('');
    expect(p.url).toBe(`/problem/${problem.data.messageId}/${comm}`);

    // One callback per status change.
    expect(
      byPath('/status/')
        .map((r) => r.url)
        .sort(),
    ).toEqual([`/status/${delivered.data.messageId}`, `/status/${failed.data.messageId}`].sort());

    // CommunicationCompleted via POST: a JSON body referencing the batch, signed (Standard Webhooks).
    const [d] = byPath('/done/');
    expect(d.url).toBe(`/done/batch-7/${comm}?env=eu%20west%2F1`);
    expect(JSON.parse(d.body)).toEqual({
      communicationId: comm,
      batchId: 'batch-7',
      batchUrl: `${config.publicBaseUrl.replace(/\/$/, '')}/v1/batches/batch-7`,
    });
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(d.headers[h])]),
    );
    expect(() => new Webhook(signingSecret).verify(d.body, headers)).not.toThrow();
    expect(headers['webhook-id']).toBe(callbackIdOf(done.id, 'done'));

    // Every attempt is on the log, valid, succeeded, and no event carries the password.
    const attempts = await eventually(
      async () => {
        const a = await attemptsOf(comm);
        return a.length >= 5 ? a : undefined;
      },
      { what: '5 CallbackAttempted' },
    );
    expect(
      attempts.every(
        (a) => a.data.outcome === 'succeeded' && a.data.attempt === 1 && a.data.statusCode === 200,
      ),
    ).toBe(true);
    expect(attempts.every((a) => validateEvent(a, 'stored').ok)).toBe(true);
    const raw = (await tk.readAll(config.logTopic)).map((r) => r.value!.toString('utf8')).join('\n');
    expect(raw).not.toContain(password);
    expect(raw).not.toContain(Buffer.from(`app-user:${password}`).toString('base64'));
    expect(raw).not.toContain(signingSecret.slice(6));
    const sentAttempt = attempts.find((a) => a.data.callbackConfigId === 'sent')!;
    expect(sentAttempt.data.messageId).toBe(sent.data.messageId);
    expect(sentAttempt.data.url).toBe(new URL(s.url, rx.base).toString());
  });

  it('retries a callback that answered 500 and records success on the second attempt', async () => {
    const rx = await receiver((_r, nth) => ({
      status: nth === 1 ? 500 : 200,
      body: nth === 1 ? 'boom' : 'fine',
    }));
    const comm = uniqueName('comm');
    await append(
      tk,
      config.logTopic,
      configured(comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${rx.base}/m/\${id}` }]),
      messageSent(comm),
    );

    const attempts = await eventually(
      async () => {
        const a = await attemptsOf(comm);
        return a.length >= 2 ? a : undefined;
      },
      { what: 'two attempts', timeoutMs: 20_000 },
    );
    expect(attempts.map((a) => [a.data.attempt, a.data.outcome, a.data.statusCode])).toEqual([
      [1, 'retrying', 500],
      [2, 'succeeded', 200],
    ]);
    expect(attempts[0].data.error?.kind).toBe('status');
    expect(attempts[0].data.responseSnippet).toBe('boom');
    expect(attempts[0].data.callbackId).toBe(attempts[1].data.callbackId);
    const gap = rx.requests[1].at - rx.requests[0].at;
    expect(gap).toBeGreaterThanOrEqual(config.retryDelayMs - 100);
    expect(gap).toBeLessThan(config.retryDelayMs + 2000);
    // The same idempotency key on both attempts.
    expect(rx.requests[0].headers['idempotency-key']).toBe(rx.requests[1].headers['idempotency-key']);
  });

  it('gives up after three failed attempts (timeout, refused, 201, 302, 404), then calls nothing more for that communication', async () => {
    const refused = await refusedPort();
    let repaired = false;
    const cases = [
      { name: 'timeout', rx: await receiver(() => 'hang'), kind: 'timeout' },
      { name: 'refused', rx: null, kind: 'connection-refused' },
      { name: '201', rx: await receiver(() => ({ status: 201 })), kind: 'status' },
      { name: '302', rx: await receiver(() => ({ status: 302 })), kind: 'status' },
      { name: '404', rx: await receiver(() => ({ status: repaired ? 200 : 404 })), kind: 'status' },
    ].map((c) => ({ ...c, comm: uniqueName(`comm-${c.name}`) }));
    for (const c of cases) {
      const base = c.rx ? c.rx.base : `http://127.0.0.1:${refused}`;
      await append(
        tk,
        config.logTopic,
        configured(c.comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${base}/x/\${id}` }]),
        messageSent(c.comm),
      );
    }

    for (const c of cases) {
      const events = await eventually(
        async () => {
          const e = await eventsOf(tk, config.logTopic, c.comm);
          return ofType(e, 'CallbackFailed').length > 0 ? e : undefined;
        },
        { what: `CallbackFailed for ${c.name}`, timeoutMs: 30_000 },
      );
      const attempts = ofType(events, 'CallbackAttempted');
      expect(attempts.map((a) => [a.data.attempt, a.data.outcome])).toEqual([
        [1, 'retrying'],
        [2, 'retrying'],
        [3, 'failed'],
      ]);
      expect(attempts.every((a) => a.data.error?.kind === c.kind)).toBe(true);
      // Attempts are spaced by the retry delay, counted from the end of the previous attempt.
      for (let i = 1; i < attempts.length; i++) {
        const prevEnd = Date.parse(attempts[i - 1].data.startedAt) + attempts[i - 1].data.durationMs;
        const gap = Date.parse(attempts[i].data.startedAt) - prevEnd;
        expect(gap).toBeGreaterThanOrEqual(config.retryDelayMs - 50);
        expect(gap).toBeLessThan(config.retryDelayMs + 2000);
      }
      const [failed] = ofType(events, 'CallbackFailed');
      expect(failed.data).toMatchObject({ attempts: 3, reason: { kind: c.kind } });
      if (c.rx) expect(c.rx.requests).toHaveLength(3);
    }

    // A later event of a failed communication is not called back. Fence (decision 0502): the
    // communication is re-enabled and a further event appended; the dispatcher handles one
    // communication's events in log order, so once the further event is called back, the one
    // before the enable has been handled.
    const [probe] = cases.filter((c) => c.name === '404');
    const whileFailed = messageSent(probe.comm);
    await append(tk, config.logTopic, whileFailed);
    repaired = true;
    const fence = messageSent(probe.comm);
    await append(tk, config.logTopic, enabled(probe.comm), fence);
    await eventually(
      () => (probe.rx!.requests.some((r) => r.url === `/x/${fence.data.messageId}`) ? true : undefined),
      { what: 'the callback of the event after the enable' },
    );
    expect(probe.rx!.requests.map((r) => r.url)).not.toContain(`/x/${whileFailed.data.messageId}`);
    expect(probe.rx!.requests).toHaveLength(4);
    const probeAttempts = ofType(await eventsOf(tk, config.logTopic, probe.comm), 'CallbackAttempted');
    expect(probeAttempts.map((a) => a.data.callbackId)).not.toContain(callbackIdOf(whileFailed.id, 'cb'));
  });

  it('records an unresolvable template variable as a failed attempt, not retried', async () => {
    const rx = await receiver();
    const comm = uniqueName('comm');
    await append(
      tk,
      config.logTopic,
      configured(comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${rx.base}/\${memberId}` }]),
      messageSent(comm),
    );
    const events = await eventually(
      async () => {
        const e = await eventsOf(tk, config.logTopic, comm);
        return ofType(e, 'CallbackFailed').length > 0 ? e : undefined;
      },
      { what: 'CallbackFailed' },
    );
    const attempts = ofType(events, 'CallbackAttempted');
    expect(attempts).toHaveLength(1);
    expect(attempts[0].data).toMatchObject({
      outcome: 'failed',
      url: null,
      statusCode: null,
      error: { kind: 'unresolved-variable' },
    });
    expect(rx.requests).toHaveLength(0);
  });

  it('does not let a slow receiver (2 s) delay callbacks to a fast one', async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 2000 }));
    const fast = await receiver();
    const comm = uniqueName('comm');
    await append(
      tk,
      config.logTopic,
      configured(comm, [
        { id: 'slow', event: 'MessageSent', method: 'GET', url: `${slow.base}/s/\${id}` },
        { id: 'fast', event: 'MessageSent', method: 'GET', url: `${fast.base}/f/\${id}` },
      ]),
    );
    // More slow requests than the per-host limit, all in one append (one batch).
    const events: LogEvent[] = Array.from({ length: 12 }, () => messageSent(comm));
    const appendedAt = Date.now();
    await append(tk, config.logTopic, ...events);
    await eventually(() => (fast.requests.length >= 12 ? true : undefined), { what: '12 fast callbacks' });
    const fastDone = Math.max(...fast.requests.map((r) => r.at)) - appendedAt;
    expect(fastDone).toBeLessThan(1500);
    await eventually(async () => ((await attemptsOf(comm)).length >= 24 ? true : undefined), {
      what: 'all attempts recorded',
    });
    expect(slow.requests).toHaveLength(12);
  });

  it('cancels a pending retry when the communication is disabled, and calls back again after it is enabled', async () => {
    let answer = 500;
    const rx = await receiver(() => ({ status: answer }));
    const comm = uniqueName('comm');
    const first = messageSent(comm);
    await append(
      tk,
      config.logTopic,
      configured(comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${rx.base}/m/\${id}` }]),
      first,
    );
    await eventually(async () => ((await attemptsOf(comm)).length >= 1 ? true : undefined), {
      what: 'first attempt',
    });
    await append(tk, config.logTopic, disabled(comm));

    const cancelled = await eventually(
      async () => {
        const c = ofType(await eventsOf(tk, config.logTopic, comm), 'CallbackCancelled');
        return c.length > 0 ? c : undefined;
      },
      { what: 'CallbackCancelled', timeoutMs: 15_000 },
    );
    expect(cancelled[0].data).toMatchObject({
      callbackId: callbackIdOf(first.id, 'cb'),
      attempts: 1,
      reason: 'communication-disabled',
    });
    expect(rx.requests).toHaveLength(1);

    // While disabled, new events are not called back; after CommunicationEnabled they are.
    await append(tk, config.logTopic, messageSent(comm));
    answer = 200;
    const later = messageSent(comm);
    await append(tk, config.logTopic, enabled(comm), later);
    await eventually(() => (rx.requests.length >= 2 ? true : undefined), { what: 'callback after enabling' });
    expect(rx.requests[1].url).toBe(`/m/${later.data.messageId}`);
    // Fence: a further event is called back, so (log order) every earlier one has been handled.
    const fence = messageSent(comm);
    await append(tk, config.logTopic, fence);
    await eventually(() => (rx.requests.length >= 3 ? true : undefined), {
      what: 'callback of a later event',
    });
    expect(rx.requests.map((r) => r.url)).toEqual([
      `/m/${first.data.messageId}`,
      `/m/${later.data.messageId}`,
      `/m/${fence.data.messageId}`,
    ]);
  });
});
