import type { LogEvent, LogEventOf } from '@app/contracts';
import { startProjector, type RunningProjector } from '../../apps/projector/src/projector.app';
import { eventually } from '../support/environment';
import { TestKafka } from '../support/kafka';
import {
  ADMIN_KEY,
  API_KEY,
  appendEvents,
  dropSchemas,
  scenario,
  testConfig,
  withDb,
} from './projector.fixtures';
import { decodeQp, freePort, TestSmtp } from './smtp.fixture';

/** Events of a callback that failed three times, for a communication with two notification addresses. */
function failingCommunication() {
  const s = scenario();
  const m = s.sent();
  const events: LogEvent[] = [
    s.configured(['ops@example.test', 'owner@example.test']),
    m,
    s.attempted(m, 1, 'retrying', 500),
    s.attempted(m, 2, 'retrying', null),
    s.attempted(m, 3, 'failed', 500),
    s.failed(m, 3),
  ];
  return { s, m, events };
}

describe('disabling a communication whose callback failed', () => {
  const tk = new TestKafka();
  const smtp = new TestSmtp();
  const schemas: string[] = [];
  const running: RunningProjector[] = [];
  let smtpPort: number | undefined;
  let smtpListening = false;
  afterAll(async () => {
    await Promise.allSettled(running.map((p) => p.close()));
    await smtp.stop();
    await tk.close();
    await dropSchemas(...schemas);
  });

  const disabledOnLog = async (topic: string, communicationId: string) =>
    (await tk.readJson<LogEvent>(topic)).filter(
      (e): e is LogEventOf<'CommunicationDisabled'> =>
        e.type === 'CommunicationDisabled' && e.communicationId === communicationId,
    );
  const mailsFor = (communicationId: string) =>
    smtp.received.filter((m) => decodeQp(m.raw).includes(`communication ${communicationId}`));
  /** Re-enables through the API and waits until the projection shows it. */
  const enable = async (url: string, communicationId: string) => {
    const res = await fetch(`${url}/v1/communications/${communicationId}/enable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'operations-desk', reason: 'receiver fixed' }),
    });
    expect(res.status).toBe(202);
    await eventually(
      async () => {
        const r = await fetch(`${url}/v1/communications/${communicationId}`, {
          headers: { 'x-api-key': API_KEY },
        });
        return ((await r.json()) as { status: string }).status === 'active' ? true : undefined;
      },
      { what: 'the communication to be active again' },
    );
  };
  /**
   * A fence for "nothing more was sent": another callback of the (re-enabled) communication fails,
   * and the second CommunicationDisabled and its two emails arrive.
   */
  const failsAgain = async (topic: string, s: ReturnType<typeof scenario>) => {
    const m2 = s.sent();
    const failed = s.failed(m2, 3);
    await appendEvents(tk, topic, [
      m2,
      s.attempted(m2, 1, 'retrying', 500),
      s.attempted(m2, 2, 'retrying', 500),
      s.attempted(m2, 3, 'failed', 500),
      failed,
    ]);
    await eventually(
      async () => ((await disabledOnLog(topic, s.communicationId)).length >= 2 ? true : undefined),
      { what: 'the second CommunicationDisabled on the log' },
    );
    await eventually(() => (mailsFor(s.communicationId).length >= 4 ? true : undefined), {
      what: 'the emails of the second disable',
    });
    return failed;
  };
  const start = async (config: Parameters<typeof startProjector>[0]) => {
    const p = await startProjector(config, { host: '127.0.0.1', logger: ['error'] });
    running.push(p);
    return p;
  };

  it('appends one CommunicationDisabled, shows it in the API, and emails every address once SMTP comes up', async () => {
    smtpPort = await freePort();
    const config = testConfig({ smtpUrl: `smtp://127.0.0.1:${smtpPort}` });
    schemas.push(config.schema);
    await tk.createTopic(config.logTopic, 3);
    const { s, m, events } = failingCommunication();
    await appendEvents(tk, config.logTopic, events);
    const projector = await start(config);

    const [disabled] = await eventually(
      async () => {
        const found = await disabledOnLog(config.logTopic, s.communicationId);
        return found.length > 0 ? found : undefined;
      },
      { what: 'CommunicationDisabled on the log' },
    );
    expect(disabled.data).toMatchObject({
      causeEventId: events[5].id,
      by: 'projector',
      callbackId: `${m.id}.sent-cb`,
    });

    const res = await fetch(`${projector.url}/v1/communications/${s.communicationId}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; disabled: { reason: string } };
    expect(body).toMatchObject({
      status: 'disabled',
      disabled: { by: 'projector', callbackId: `${m.id}.sent-cb` },
      callbackCounts: { failed: 1 },
    });
    expect(body.disabled.reason).toContain('failed after 3 attempt(s)');

    // SMTP is down: the emails are retried with backoff, not lost.
    const failedTries = await eventually(
      async () => {
        const { rows } = await withDb((db) =>
          db.query(`SELECT attempts, status FROM "${config.schema}".notification_emails`),
        );
        return rows.length === 2 && rows.every((r) => r.attempts >= 1 && r.status === 'pending')
          ? rows
          : undefined;
      },
      { what: 'failed email attempts while SMTP is down' },
    );
    expect(failedTries).toHaveLength(2);
    await smtp.start(smtpPort);
    smtpListening = true;

    const mails = await eventually(
      () => (mailsFor(s.communicationId).length >= 2 ? mailsFor(s.communicationId) : undefined),
      {
        what: 'two notification emails',
      },
    );
    expect(
      mails
        .map((x) => x.to)
        .flat()
        .sort(),
    ).toEqual(['ops@example.test', 'owner@example.test']);
    const text = decodeQp(mails[0].raw);
    expect(text).toContain('DISABLED');
    expect(text).toContain('MessageSent');
    expect(text).toContain(`https://app.example.test/sent/${m.data.messageId}`);
    expect(text).toContain('HTTP 500');
    expect(text).toContain('timeout: no answer in 120 s');
    expect(text).toContain(
      `POST http://callbacks.example.test/v1/communications/${s.communicationId}/enable`,
    );
    expect(text).toContain(
      `Open it in the operator console: http://callbacks.example.test/console/communications/${s.communicationId}`,
    );
    expect(text).toContain('text/html');
    expect(text).not.toMatch(/c2VjcmV0|user:pw|A256GCM/);

    // Re-enabling through the API appends CommunicationEnabled and the projection applies it.
    const enable = await fetch(`${projector.url}/v1/communications/${s.communicationId}/enable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'operations-desk', reason: 'receiver fixed' }),
    });
    expect(enable.status).toBe(202);
    await eventually(
      async () => {
        const r = await fetch(`${projector.url}/v1/communications/${s.communicationId}`, {
          headers: { 'x-api-key': API_KEY },
        });
        const b = (await r.json()) as { status: string; enabled?: { by: string } };
        return b.status === 'active' && b.enabled?.by === 'operations-desk' ? true : undefined;
      },
      { what: 'the communication to be active again' },
    );

    // Nothing more: still one event and one email per address for that disable. Fence: the
    // communication fails again and is disabled a second time; the relay and the mail worker take
    // their rows oldest first, so a second copy of the first disable or its emails would come
    // before the second disable's.
    const failedAgain = await failsAgain(config.logTopic, s);
    expect((await disabledOnLog(config.logTopic, s.communicationId)).map((e) => e.data.causeEventId)).toEqual(
      [events[5].id, failedAgain.id],
    );
    expect(mailsFor(s.communicationId)).toHaveLength(4);
  });

  it('still appends exactly one event and sends each email once when the projector dies right after committing', async () => {
    // The SMTP server of the first test is up by now (or is started here when run alone).
    if (!smtpListening) smtpPort = await smtp.start();
    smtpListening = true;
    const base = testConfig({ smtpUrl: `smtp://127.0.0.1:${smtpPort}` });
    schemas.push(base.schema);
    await tk.createTopic(base.logTopic, 3);
    const { s, events } = failingCommunication();
    await appendEvents(tk, base.logTopic, events);

    // In-process crash: the hook runs right after the projection transaction committed and throws,
    // so no Kafka offset is committed; relay and mail workers are off, as if the process died
    // before reaching them.
    let crashed = false;
    const doomed = await start({
      ...base,
      workers: { projection: true, relay: false, mail: false, recovery: false },
      hooks: {
        afterCommit: ({ types }) => {
          if (crashed || types.includes('CallbackFailed')) {
            crashed = true;
            throw new Error('simulated crash right after commit');
          }
        },
      },
    });
    await eventually(() => (crashed ? true : undefined), { what: 'the simulated crash' });
    await doomed.close();
    const { rows: outbox } = await withDb((db) =>
      db.query(`SELECT published_offset FROM "${base.schema}".outbox_events`),
    );
    expect(outbox).toEqual([{ published_offset: null }]);
    expect(await disabledOnLog(base.logTopic, s.communicationId)).toHaveLength(0);

    const restarted = await start(base);
    await eventually(
      async () => ((await disabledOnLog(base.logTopic, s.communicationId)).length === 1 ? true : undefined),
      {
        what: 'the relay to publish after the restart',
      },
    );
    await eventually(() => (mailsFor(s.communicationId).length === 2 ? true : undefined), {
      what: 'two emails after the restart',
    });
    await eventually(
      async () => {
        const { rows } = await withDb((db) =>
          db.query(`SELECT published_offset FROM "${base.schema}".outbox_events`),
        );
        return rows[0].published_offset !== null ? true : undefined;
      },
      { what: 'the outbox row to be marked published' },
    );
    await restarted.close();

    // A second restart finds everything done: it republishes and resends nothing.
    const again = await start(base);
    await eventually(() => (again.runtime.caughtUp() ? true : undefined), {
      what: 'the projection to catch up',
    });
    // Fence: re-enabled, the communication fails and is disabled again; the relay and the mail
    // worker take their rows oldest first, so a second copy of the first disable or its emails
    // would come before the second disable's.
    await enable(again.url, s.communicationId);
    const failedAgain = await failsAgain(base.logTopic, s);
    expect((await disabledOnLog(base.logTopic, s.communicationId)).map((e) => e.data.causeEventId)).toEqual([
      events[5].id,
      failedAgain.id,
    ]);
    expect(mailsFor(s.communicationId)).toHaveLength(4);
    const { rows } = await withDb((db) =>
      db.query(`SELECT count(*)::int AS n FROM "${base.schema}".notification_emails WHERE status = 'sent'`),
    );
    expect(rows[0].n).toBe(4);
  });
  it('refuses to re-enable while the automatic CommunicationDisabled is not yet on the log', async () => {
    const base = testConfig({ smtpUrl: 'smtp://127.0.0.1:9' });
    schemas.push(base.schema);
    await tk.createTopic(base.logTopic, 3);
    const { s, events } = failingCommunication();
    await appendEvents(tk, base.logTopic, events);
    // The relay is off, so the disable stays in the outbox: an enable now would be undone by it.
    const projector = await start({
      ...base,
      workers: { projection: true, relay: false, mail: false, recovery: false },
    });
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    await eventually(
      async () => {
        const r = await fetch(`${projector.url}/v1/communications/${s.communicationId}`, { headers });
        return r.ok && ((await r.json()) as { status: string }).status === 'disabled' ? true : undefined;
      },
      { what: 'the communication to be disabled in the projection' },
    );
    const enable = await fetch(`${projector.url}/v1/communications/${s.communicationId}/enable`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ by: 'operations-desk', reason: 'receiver fixed' }),
    });
    expect(enable.status).toBe(409);
    expect(await enable.json()).toMatchObject({ error: { code: 'disable-pending' } });
    expect(
      (await tk.readJson<LogEvent>(base.logTopic)).filter((e) => e.type === 'CommunicationEnabled'),
    ).toEqual([]);
  });
});
