import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Webhook } from 'standardwebhooks';
import { callbackIdOf, InboundEvent, LogEvent } from '@app/contracts';
import { CallbackReceiver, ReceivedCallback } from '../support/callback-receiver';
import { builtEntry, runScript } from '../support/child-service';
import { kafkaBrokers, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { SmtpCapture } from '../support/smtp-capture';
import {
  configured,
  completed,
  deliveryProblem,
  DispatchProducer,
  member,
  messageSent,
  smsStatusChanged,
} from './dispatch-producer';
import {
  E2E_TIMINGS,
  E2eStack,
  projectorApi,
  replayAndVerify,
  startE2eRun,
  stopE2eRun,
  waitForStack,
} from './e2e-stack';

/**
 * The whole product as a user runs it: the three BUILT services as child processes, a producer
 * playing Dispatch on Kafka, applications receiving callbacks over HTTP, a mail server, and the
 * read API. Nothing is mocked; every wait polls for a result.
 */

// The secrets of the example configuration (examples/events/01-CommunicationConfigured.json).
const USERNAME = 'dispatch-callbacks';
const PASSWORD = 'example-only-not-a-real-password';
const SIGNING_SECRET = 'whsec_n0iCR5/hUcDunTKamYk4Su5qEVAOsVACnzPuvgol658=';
const ENV = { tenant: 'registrar', apiVersion: 'v2', term: '2026-fall' };

let smtp: SmtpCapture;
let receiverA: CallbackReceiver;
let receiverB: CallbackReceiver;
let stack: E2eStack | undefined;
let producer: DispatchProducer;
let kafka: TestKafka;
const replaySchema = uniqueName('e2e_replay');

beforeAll(async () => {
  receiverA = await CallbackReceiver.start();
  receiverB = await CallbackReceiver.start();
  ({ smtp, kafka, stack, producer } = await startE2eRun());
}, 120_000);

afterAll(async () => {
  await stopE2eRun({ smtp, kafka, stack, producer }, [replaySchema]);
  await Promise.all([receiverA?.close(), receiverB?.close()]);
}, 60_000);

const waitFor = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs?: number) =>
  waitForStack(stack, what, probe, timeoutMs);

const api = <T>(path: string, init?: RequestInit, key?: string | null) =>
  projectorApi<T>(stack!, path, init, key);

interface CallbackView {
  callbackId: string;
  state: string;
  attempts: number;
  method: string;
  lastStatusCode: number | null;
}
interface AttemptView {
  attempt: number;
  statusCode: number | null;
  outcome: string;
  error: { kind: string } | null;
}
interface MessageView {
  messageId: string;
  deliveryStatuses: { status: string }[];
  callbacks: (CallbackView & { history: AttemptView[] })[];
}
interface CommunicationView {
  status: 'active' | 'disabled';
  disabled: { callbackId: string | null; by: string | null; reason: string | null } | null;
  callbackCounts: Record<string, number>;
}

async function allCallbacks(communicationId: string): Promise<CallbackView[]> {
  const out: CallbackView[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page += 1) {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const { status, body } = await api<{ items: CallbackView[]; nextCursor: string | null }>(
      `/v1/communications/${communicationId}/callbacks?limit=200${q}`,
    );
    if (status !== 200) throw new Error(`callbacks page: HTTP ${status}`);
    out.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('more than 50 pages of callbacks');
}

async function logEventsOf(communicationId: string): Promise<LogEvent[]> {
  return (await kafka.readJson<LogEvent>(stack!.topics.log)).filter(
    (e) => e.communicationId === communicationId,
  );
}

interface Expected {
  method: 'GET' | 'POST';
  url: string;
  basic?: boolean;
  signed?: boolean;
  messageId: string | null;
  /** The exact body; '' for a request without one. */
  body?: string;
}

describe('end to end, built services as child processes', () => {
  const basic = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;

  test('a full communication: every callback arrives as configured, the read API shows every attempt, the batch URL lists all members', async () => {
    const communicationId = uniqueName('comm-full');
    const batchId = uniqueName('batch-full');
    const members = Array.from({ length: 12 }, (_, i) => ({
      messageId: randomUUID(),
      attributes: member(i),
    }));
    const config = configured(communicationId, receiverA.baseUrl);
    const sent = members.map((m) => messageSent(communicationId, batchId, m.messageId, m.attributes));
    const changes = members.slice(0, 4).flatMap((m, i) => [
      smsStatusChanged(communicationId, batchId, m.messageId, m.attributes, {
        status: 'queued',
        previousStatus: null,
        errorCode: null,
      }),
      smsStatusChanged(communicationId, batchId, m.messageId, m.attributes, {
        status: 'sent',
        previousStatus: 'queued',
        errorCode: null,
      }),
      i === 3
        ? smsStatusChanged(communicationId, batchId, m.messageId, m.attributes, {
            status: 'undelivered',
            previousStatus: 'sent',
            errorCode: 30003,
          })
        : smsStatusChanged(communicationId, batchId, m.messageId, m.attributes, {
            status: 'delivered',
            previousStatus: 'sent',
            errorCode: null,
          }),
    ]);
    const problem = deliveryProblem(communicationId, batchId, members[5].messageId, members[5].attributes);
    const done = completed(communicationId, batchId, members.length);
    await producer.send([config, ...sent, ...changes, problem, done] as InboundEvent[]);

    // What Dispatch's configuration promises each application, worked out independently here.
    const expected = new Map<string, Expected>();
    const attributesOf = new Map<string, (typeof members)[number]['attributes']>(
      members.map((m) => [m.messageId, m.attributes]),
    );
    for (const e of sent) {
      const a = attributesOf.get(e.data.messageId)!;
      expected.set(callbackIdOf(e.id, 'student-mail-history'), {
        method: 'GET',
        url: `/apps.example.edu/${ENV.tenant}/${ENV.apiVersion}/students/${a.studentId}/mailhistory/${e.data.messageId}?batch=${batchId}&term=${ENV.term}`,
        basic: true,
        messageId: e.data.messageId,
        body: '',
      });
    }
    for (const e of changes) {
      const a = attributesOf.get(e.data.messageId)!;
      expected.set(callbackIdOf(e.id, 'sms-status'), {
        method: 'POST',
        url: `/hooks.example.com/dispatch/${ENV.term}/sms-status/${e.data.messageId}?student=${a.studentId}`,
        signed: true,
        messageId: e.data.messageId,
        body: '',
      });
    }
    expected.set(callbackIdOf(problem.id, 'delivery-problem'), {
      method: 'GET',
      url: `/apps.example.edu/${ENV.tenant}/${ENV.apiVersion}/problems?message=${problem.data.messageId}&member=${members[5].attributes.id}&batch=${batchId}`,
      messageId: problem.data.messageId,
      body: '',
    });
    const completionKey = callbackIdOf(done.id, 'batch-completed');
    expected.set(completionKey, {
      method: 'POST',
      url: `/hooks.example.com/dispatch/communications/${communicationId}/batches/${batchId}/completed`,
      signed: true,
      messageId: null,
    });
    expect(expected.size).toBe(12 + 12 + 1 + 1);

    // 1. Every expected callback reaches the application.
    await waitFor(`${expected.size} callbacks at the receiver`, () =>
      [...expected.keys()].every((k) => receiverA.byKey(k).length > 0) ? true : undefined,
    );
    const unexpected = receiverA.received.filter((r) => !expected.has(String(r.headers['idempotency-key'])));
    expect(unexpected.map((r) => `${r.method} ${r.url}`)).toEqual([]);

    const webhook = new Webhook(SIGNING_SECRET);
    for (const [key, want] of expected) {
      for (const got of receiverA.byKey(key)) {
        expect({ key, method: got.method, url: got.url }).toEqual({
          key,
          method: want.method,
          url: want.url,
        });
        expect(got.headers.authorization).toBe(want.basic ? basic : undefined);
        if (want.body !== undefined) expect(got.body).toBe(want.body);
        if (want.signed) {
          expect(() => webhook.verify(got.body, signatureHeaders(got))).not.toThrow();
          expect(got.headers['webhook-id']).toBe(key);
        } else {
          expect(got.headers['webhook-signature']).toBeUndefined();
        }
      }
    }

    // 2. The read API shows every callback as succeeded, with every attempt the receiver saw.
    await waitFor('every callback succeeded in the read API', async () => {
      const rows = await allCallbacks(communicationId);
      return rows.length === expected.size && rows.every((r) => r.state === 'succeeded') ? rows : undefined;
    });
    const rows = await allCallbacks(communicationId);
    expect(new Set(rows.map((r) => r.callbackId))).toEqual(new Set(expected.keys()));
    for (const r of rows) {
      expect({
        id: r.callbackId,
        attempts: r.attempts,
        lastStatusCode: r.lastStatusCode,
        method: r.method,
      }).toEqual({
        id: r.callbackId,
        attempts: receiverA.byKey(r.callbackId).length,
        lastStatusCode: 200,
        method: expected.get(r.callbackId)!.method,
      });
    }
    const communication = await api<CommunicationView>(`/v1/communications/${communicationId}`);
    expect(communication.status).toBe(200);
    expect(communication.body.status).toBe('active');
    expect(communication.body.callbackCounts.succeeded).toBe(expected.size);
    expect(JSON.stringify(communication.body)).not.toContain(PASSWORD);
    expect(JSON.stringify(communication.body)).not.toContain(SIGNING_SECRET.slice(6));

    // Per message ("message properties"): each callback with its attempt history.
    for (const m of members) {
      const view = await api<MessageView>(`/v1/messages/${m.messageId}/callbacks`);
      expect(view.status).toBe(200);
      const keys = [...expected].filter(([, e]) => e.messageId === m.messageId).map(([k]) => k);
      expect(view.body.callbacks.map((c) => c.callbackId).sort()).toEqual(keys.sort());
      for (const c of view.body.callbacks) {
        expect(c.history).toHaveLength(receiverA.byKey(c.callbackId).length);
        expect(c.history.at(-1)).toMatchObject({ statusCode: 200, outcome: 'succeeded', error: null });
      }
    }
    const smsMember = await api<MessageView>(`/v1/messages/${members[3].messageId}/callbacks`);
    expect(smsMember.body.deliveryStatuses.map((s) => s.status)).toEqual(['queued', 'sent', 'undelivered']);

    // Every attempt of the communication, the completion's included (it belongs to no message).
    const listed = await api<{ items: { callbackId: string; event: string; messageId: string | null }[] }>(
      `/v1/communications/${communicationId}/attempts?limit=200`,
    );
    expect(listed.body.items).toHaveLength(rows.reduce((n, r) => n + r.attempts, 0));
    expect(listed.body.items.find((a) => a.callbackId === completionKey)).toMatchObject({
      event: 'CommunicationCompleted',
      messageId: null,
    });

    // 3. The CommunicationCompleted POST body references the batch; its URL lists every member.
    const body = JSON.parse(receiverA.byKey(completionKey)[0].body) as {
      communicationId: string;
      batchId: string;
      batchUrl: string;
    };
    expect(body).toEqual({
      communicationId,
      batchId,
      batchUrl: `${stack!.projectorUrl}/v1/batches/${batchId}`,
    });
    expect((await api(`${body.batchUrl}?includemembers=true`, {}, null)).status).toBe(401);
    const batch = await waitFor('all members in the batch', async () => {
      const r = await api<{
        status: string;
        messageCount: number;
        members: { messageId: string; memberAttributes: { studentId: string } }[];
      }>(`${body.batchUrl}?includemembers=true`);
      return r.status === 200 && r.body.members?.length === members.length ? r.body : undefined;
    });
    expect(batch).toMatchObject({ status: 'complete', messageCount: members.length });
    expect(new Set(batch.members.map((x) => `${x.messageId}/${x.memberAttributes.studentId}`))).toEqual(
      new Set(members.map((m) => `${m.messageId}/${m.attributes.studentId}`)),
    );

    // 4. The log never holds a secret in clear (ingest sealed them).
    const raw = (await kafka.readAll(stack!.topics.log))
      .map((r) => r.value?.toString('utf8') ?? '')
      .join('\n');
    expect(raw).toContain(communicationId);
    expect(raw).not.toContain(PASSWORD);
    expect(raw).not.toContain(SIGNING_SECRET.slice(6));
  });

  test('the failure path and the recovery: 410 Gone recorded, one email per address per disable and a digest, cancelled while disabled, re-enable, resend, recover', async () => {
    const communicationId = uniqueName('comm-fail');
    const batchId = uniqueName('batch-fail');
    const notify = ['registrar-callbacks@example.edu', 'it-oncall@example.edu'];
    // The application is gone for now: it answers 410 to every callback.
    receiverB.answer = () => ({ status: 410, body: 'this endpoint has been retired' });
    const config = configured(communicationId, receiverB.baseUrl, (d) => ({
      ...d,
      callbacks: d.callbacks.filter((c) => c.id === 'student-mail-history'),
      notificationList: notify,
    }));
    const since = new Date().toISOString();
    const failing = [0, 1, 2].map((i) =>
      messageSent(communicationId, batchId, randomUUID(), member(100 + i)),
    );
    const [m2, m3] = [3, 4].map((i) => messageSent(communicationId, batchId, randomUUID(), member(100 + i)));
    const keyOf = (m: { id: string }) => callbackIdOf(m.id, 'student-mail-history');
    const key1 = keyOf(failing[0]);
    await producer.send([config, ...failing]);

    // Three attempts per callback, spaced by the retry delay, then no more.
    const attempts = await waitFor(
      '3 attempts at the failing receiver',
      () => (receiverB.byKey(key1).length >= 3 ? receiverB.byKey(key1) : undefined),
      60_000,
    );
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i].at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(E2E_TIMINGS.retryDelayMs - 200);

    const disabled = await waitFor('the communication disabled in the API', async () => {
      const r = await api<CommunicationView>(`/v1/communications/${communicationId}`);
      return r.body?.status === 'disabled' ? r.body : undefined;
    });
    expect(disabled.disabled).toMatchObject({ by: 'projector' });
    const list = await api<{ items: { communicationId: string; status: string }[] }>(
      `/v1/communications?status=disabled&limit=200`,
    );
    expect(list.body.items.map((c) => c.communicationId)).toContain(communicationId);

    // The projector disables at once and appends CommunicationDisabled through its outbox: ONE,
    // however many callbacks failed.
    const events = await waitFor('CommunicationDisabled on the log', async () => {
      const all = await logEventsOf(communicationId);
      return all.some((e) => e.type === 'CommunicationDisabled') ? all : undefined;
    });
    const failed = events.filter((e) => e.type === 'CallbackFailed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    const disabledEvents = events.filter((e) => e.type === 'CommunicationDisabled');
    expect(disabledEvents).toHaveLength(1);
    expect(disabledEvents[0].data).toMatchObject({ causeEventId: failed[0].id, by: 'projector' });

    // 410 Gone is a failed attempt like any other, recorded as such. Read the callback whose
    // CallbackFailed disabled the communication: the other two fail at the same moment, and one
    // whose last attempt ends after the disable is recorded as cancelled (decision 0623). Its
    // attempts precede its CallbackFailed on the log, so the projection that shows the disable
    // has them.
    const { messageId: causeMessageId } = failed[0].data as { messageId: string };
    const history = await api<MessageView>(`/v1/messages/${causeMessageId}/callbacks`);
    expect(
      history.body.callbacks[0].history.map((h) => [h.attempt, h.statusCode, h.outcome, h.error?.kind]),
    ).toEqual([
      [1, 410, 'retrying', 'gone'],
      [2, 410, 'retrying', 'gone'],
      [3, 410, 'failed', 'gone'],
    ]);

    // One email per address for the disable, saying the receiver says the endpoint is gone.
    const alerts = (address: string) =>
      smtp.to(address).filter((m) => m.subject.startsWith('Callback failed'));
    const digests = (address: string) =>
      smtp.to(address).filter((m) => m.subject.startsWith('Still disabled'));
    await waitFor('an email to every notification address', () =>
      notify.every((a) => alerts(a).length > 0) ? true : undefined,
    );
    for (const address of notify) {
      const [mail] = alerts(address);
      expect(mail.text).toContain(communicationId);
      expect(mail.text).toContain('410 Gone');
      expect(mail.text.toLowerCase()).toContain('disabled');
      expect(mail.text).toContain(`/v1/communications/${communicationId}/recover`);
      expect(mail.raw).not.toContain(PASSWORD);
    }

    // While disabled, a new event brings no request: its callback is recorded as cancelled.
    await producer.send([m2]);
    const cancelled = await waitFor('the callback of m2 cancelled', async () => {
      const r = await api<MessageView>(`/v1/messages/${m2.data.messageId}/callbacks`);
      return r.body?.callbacks?.[0]?.state === 'cancelled' ? r.body.callbacks[0] : undefined;
    });
    expect(cancelled).toMatchObject({ callbackId: keyOf(m2), attempts: 0 });
    expect(receiverB.byKey(keyOf(m2))).toEqual([]);
    // What happens after the alert is told at most once per ALERT_FOLLOW_UP_MS, as a digest.
    await waitFor('a follow-up digest to every address', () =>
      notify.every((a) => digests(a).length > 0) ? true : undefined,
    );
    for (const address of notify) expect(digests(address)[0].text).toMatch(/more were cancelled/);

    // The application is repaired; an operator re-enables the communication with an admin key.
    receiverB.answer = () => ({ status: 200, body: 'ok' });
    const write = (body: unknown) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const why = { by: 'jane.doe (on-call)', reason: 'registrar API redeployed at its old address' };
    const enablePath = `/v1/communications/${communicationId}/enable`;
    expect((await api(enablePath, write(why), null)).status).toBe(401);
    expect((await api(enablePath, write(why))).status).toBe(403);
    const enabled = await api<{ eventId: string }>(enablePath, write(why), stack!.adminKey);
    expect(enabled.status).toBe(202);
    await waitFor('the communication active again', async () => {
      const r = await api<CommunicationView>(`/v1/communications/${communicationId}`);
      return r.body?.status === 'active' ? true : undefined;
    });

    // One more attempt of the callback that disabled it, alone: same idempotency key, attempt 4.
    const resendPath = `/v1/callbacks/${key1}/resend`;
    expect((await api(resendPath, write(why))).status).toBe(403);
    const resent = await api<{ attempt: number }>(resendPath, write(why), stack!.adminKey);
    expect(resent).toMatchObject({ status: 202, body: { attempt: 4 } });
    await waitFor('the resent callback succeeded', async () => {
      const r = await api<MessageView>(`/v1/messages/${failing[0].data.messageId}/callbacks`);
      return r.body?.callbacks?.[0]?.state === 'succeeded' ? true : undefined;
    });
    expect((await api(resendPath, write(why), stack!.adminKey)).status).toBe(409);

    // Then everything else that failed or was cancelled since the first message, in order.
    const recover = await api<{ recoveryId: string; planned: number }>(
      `/v1/communications/${communicationId}/recover`,
      write({ ...why, since, states: ['failed', 'cancelled'] }),
      stack!.adminKey,
    );
    expect(recover.status).toBe(202);
    expect(recover.body.planned).toBe(3); // the two other failures and m2
    await waitFor('every callback of the communication succeeded', async () => {
      const rows = await allCallbacks(communicationId);
      return rows.length === 4 && rows.every((r) => r.state === 'succeeded') ? rows : undefined;
    });
    const [recovery] = (
      await api<{ recoveryId: string; resent: number; by: string; adminKey: string }[]>(
        `/v1/communications/${communicationId}/recoveries`,
      )
    ).body;
    expect(recovery).toMatchObject({
      recoveryId: recover.body.recoveryId,
      resent: 3,
      by: why.by,
      adminKey: 'e2e-oncall',
    });
    for (const m of [...failing.slice(1), m2]) {
      const seen = receiverB.byKey(keyOf(m));
      expect(seen.at(-1)?.status).toBe(200);
    }
    // Who and why are on the log with every write.
    const after = await logEventsOf(communicationId);
    for (const type of [
      'CommunicationEnabled',
      'CallbackResendRequested',
      'CommunicationRecoveryRequested',
    ]) {
      const written = after.filter((e) => e.type === type);
      expect(written.length).toBeGreaterThan(0);
      for (const e of written)
        expect(e.data).toMatchObject({ by: why.by, reason: why.reason, adminKey: 'e2e-oncall' });
    }

    // New events are called back again.
    await producer.send([m3]);
    await waitFor('the callback of m3 after re-enabling', () =>
      receiverB.byKey(keyOf(m3)).some((r) => r.status === 200) ? true : undefined,
    );

    // The attempt list pages through every attempt: per callback, attempts 1..n once each, as many
    // as the callback has (a request may be repeated after a failure, an attempt never is).
    const listed: { callbackId: string; attempt: number }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const r = await api<{ items: { callbackId: string; attempt: number }[]; nextCursor: string | null }>(
        `/v1/communications/${communicationId}/attempts?limit=5${q}`,
      );
      listed.push(...r.body.items);
      cursor = r.body.nextCursor;
      if (!cursor) break;
    }
    for (const c of await allCallbacks(communicationId)) {
      const numbers = listed.filter((a) => a.callbackId === c.callbackId).map((a) => a.attempt);
      expect({ callback: c.callbackId, numbers }).toEqual({
        callback: c.callbackId,
        numbers: Array.from({ length: c.attempts }, (_, i) => i + 1),
      });
      expect(receiverB.byKey(c.callbackId).length).toBeGreaterThanOrEqual(c.attempts);
    }

    // Still exactly one alert per address for the one disable; digests at most one per interval.
    for (const address of notify) expect(alerts(address)).toHaveLength(1);
    const span = Date.now() - Date.parse(since);
    for (const address of notify)
      expect(digests(address).length).toBeLessThanOrEqual(Math.ceil(span / E2E_TIMINGS.alertFollowUpMs));
  });

  test('replaying the whole log into a fresh schema gives exactly the live projection', async () => {
    const { replay, verified } = await replayAndVerify(stack!, stack!.projectorEnv, replaySchema, 30_000);
    expect(replay.stdout).toMatch(/replay done: [1-9]\d* events/);
    expect(replay.stdout).toMatch(/^log: \S+ \(cluster \S+, topic id \S+\), checked before every batch/m);
    expect(verified.stdout).toContain(`no difference between ${stack!.schema} and ${replaySchema}`);
    expect(verified.stdout).toContain(
      `same  log identity         ${stack!.schema}: built from this log / ${replaySchema}: built from this log`,
    );

    // audit heads its trail with the log it read and whether the projection was built from it.
    const audit = await runScript(
      builtEntry('projector', 'cli/audit.cli.js'),
      ['--communication', 'no-such-communication'],
      stack!.projectorEnv,
      30_000,
    );
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(
      new RegExp(`^log ${stack!.topics.log} \\(cluster \\S+, topic id \\S+\\)$`, 'm'),
    );
    expect(audit.stdout).toContain(`projection ${stack!.schema}: built from this log`);
    expect(verified.stdout).not.toContain('DIFF');
  });

  test('every service stops cleanly on SIGTERM and leaves its consumer group', async () => {
    const results = await Promise.all(
      stack!.services.map(async (s) => ({ name: s.name, ...(await s.stop(20_000)) })),
    );
    for (const r of results) {
      // Nest's shutdown hooks re-raise the signal after closing, so SIGTERM is a clean end too.
      expect({ name: r.name, clean: r.code === 0 || (r.code === null && r.signal === 'SIGTERM') }).toEqual({
        name: r.name,
        clean: true,
      });
    }
    const admin = new Kafka({
      brokers: kafkaBrokers(),
      clientId: uniqueName('e2e-admin'),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const described = await admin.describeGroups(Object.values(stack!.consumerGroups));
      expect(described.groups).toHaveLength(3);
      for (const g of described.groups)
        expect({ group: g.groupId, members: g.members.length }).toEqual({ group: g.groupId, members: 0 });
    } finally {
      await admin.disconnect();
    }
  });
});

function signatureHeaders(r: ReceivedCallback): Record<string, string> {
  return {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  };
}
