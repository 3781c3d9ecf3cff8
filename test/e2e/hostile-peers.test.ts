import { randomUUID } from 'node:crypto';
import { COPY_HEADERS, DLQ_HEADERS, PARKED_HEADERS, type InboundEvent } from '@app/contracts';
import { inParts } from '@app/platform';
import { builtEntry, runScript } from '../support/child-service';
import { uniqueName } from '../support/environment';
import { CallbackReceiver } from '../support/callback-receiver';
import { hostileReceiver, MISBEHAVIOURS, type Misbehaviour } from '../support/hostile-receiver';
import { TestKafka } from '../support/kafka';
import { SmtpCapture } from '../support/smtp-capture';
import { DispatchProducer } from './dispatch-producer';
import { E2eStack, projectorApi, replayAndVerify, startE2eRun, stopE2eRun, waitForStack } from './e2e-stack';

/**
 * Untrusted peers against the three BUILT services, the real broker and Postgres: a receiver that
 * answers every way a third-party server can misbehave, a producer that sends every kind of junk,
 * and records that a consumer cannot process. None of them stops a partition or leaks a secret.
 */

const PASSWORD = 'hostile-test-password-7f3a';
const SIGNING_SECRET = 'whsec_aG9zdGlsZS10ZXN0LXNpZ25pbmcta2V5';
const AUTHORIZATION = `Basic ${Buffer.from(`dispatch:${PASSWORD}`).toString('base64')}`;

let smtp: SmtpCapture;
let receiver: CallbackReceiver;
let stack: E2eStack | undefined;
let producer: DispatchProducer;
let kafka: TestKafka;
const replaySchema = uniqueName('e2e_hostile_replay');

beforeAll(async () => {
  receiver = await hostileReceiver([PASSWORD, SIGNING_SECRET]);
  ({ smtp, kafka, stack, producer } = await startE2eRun());
}, 120_000);

afterAll(async () => {
  await stopE2eRun({ smtp, kafka, stack, producer }, [replaySchema]);
  await receiver?.close();
}, 60_000);

const waitFor = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs?: number) =>
  waitForStack(stack, what, probe, timeoutMs);

const api = <T>(path: string) => projectorApi<T>(stack!, path);

interface AttemptView {
  attempt: number;
  statusCode: number | null;
  outcome: string;
  error: { kind: string } | null;
  responseSnippet: string | null;
}
interface CallbackView {
  state: string;
  history: AttemptView[];
}

/** The callbacks of a message once every one of them has settled (succeeded or failed). */
const settledCallbacks = (messageId: string) =>
  waitFor(`the callbacks of message ${messageId} settled`, async () => {
    const { status, body } = await api<{ callbacks: CallbackView[] }>(`/v1/messages/${messageId}/callbacks`);
    if (status !== 200 || body.callbacks.length === 0) return undefined;
    return body.callbacks.every((c) => c.state === 'succeeded' || c.state === 'failed')
      ? body.callbacks
      : undefined;
  });

function event<T extends InboundEvent['type']>(
  type: T,
  communicationId: string,
  data: Extract<InboundEvent, { type: T }>['data'],
): Extract<InboundEvent, { type: T }> {
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    communicationId,
    data,
  } as Extract<InboundEvent, { type: T }>;
}

/** A configuration with one GET callback on MessageSent to `url` (a template). */
const configuration = (communicationId: string, url: string, secrets = false) =>
  event('CommunicationConfigured', communicationId, {
    campaignId: 'campaign-hostile',
    campaignMode: 'production',
    environment: {},
    callbacks: [
      {
        id: 'on-sent',
        event: 'MessageSent',
        method: 'GET',
        url,
        ...(secrets && {
          credentials: { type: 'basic' as const, username: 'dispatch', password: PASSWORD },
          signingSecret: SIGNING_SECRET,
        }),
      },
    ],
    notificationList: [],
  });

const sent = (communicationId: string, memberAttributes: Record<string, unknown>) =>
  event('MessageSent', communicationId, {
    messageId: randomUUID(),
    batchId: `batch-${communicationId}`,
    memberAttributes,
  });

describe('hostile peers against the built services', () => {
  test('a hostile receiver: every misbehaviour is recorded as an attempt, and the history of later events keeps flowing', async () => {
    const communicationId = uniqueName('comm-hostile');
    const hostile = (Object.keys(MISBEHAVIOURS) as Misbehaviour[]).map((m) => ({
      m,
      event: sent(communicationId, { behaviour: m }),
    }));
    const later = Array.from({ length: 20 }, (_, i) => sent(communicationId, { behaviour: 'normal', n: i }));
    await producer.send([
      configuration(communicationId, `${receiver.baseUrl}/hostile/\${behaviour}?member=\${id}`, true),
      ...hostile.map((h) => h.event),
    ]);
    await producer.send(later);
    const sentAt = Date.now();

    // The events after the hostile answers: their whole history is readable within seconds.
    for (const e of later) {
      const [callback] = await settledCallbacks(e.data.messageId);
      expect(callback).toMatchObject({ state: 'succeeded', history: [{ attempt: 1, outcome: 'succeeded' }] });
    }
    expect(Date.now() - sentAt).toBeLessThan(30_000);

    const history = new Map<Misbehaviour, AttemptView[]>();
    for (const { m, event: e } of hostile) {
      const [callback] = await settledCallbacks(e.data.messageId);
      expect({ m, state: callback.state }).toEqual({ m, state: 'succeeded' });
      history.set(m, callback.history);
    }
    const first = (m: Misbehaviour) => history.get(m)![0];

    // Answered 200 with a body no database takes as it is: recorded, made storable.
    expect(first('nul')).toMatchObject({
      outcome: 'succeeded',
      responseSnippet: 'ok\ufffd\ufffd and more \ufffd',
    });
    expect(first('invalid-utf8')).toMatchObject({
      outcome: 'succeeded',
      responseSnippet: 'ok\ufffd\ufffd\ufffd(\ufffd\ufffd\ufffd!',
    });
    expect(first('escaped-surrogate').responseSnippet).toBe('{"v":"\\ud800","n":"\\u0000"}');
    expect(first('huge')).toMatchObject({ outcome: 'succeeded', responseSnippet: 'z'.repeat(4096) });
    // Failed the first time, recorded with what happened, retried, succeeded.
    expect(history.get('endless')!.map((a) => [a.statusCode, a.error?.kind ?? null, a.outcome])).toEqual([
      [200, 'timeout', 'retrying'],
      [200, null, 'succeeded'],
    ]);
    expect(history.get('huge-headers')!.map((a) => [a.statusCode, a.error?.kind ?? null, a.outcome])).toEqual(
      [
        [null, 'network', 'retrying'],
        [200, null, 'succeeded'],
      ],
    );
    expect(first('reset-mid-body')).toMatchObject({
      statusCode: 200,
      error: { kind: 'connection-reset' },
      responseSnippet: 'partial body',
      outcome: 'retrying',
    });
    // A receiver that echoes the secrets: none of them reaches the history.
    const echoed = first('echo').responseSnippet!;
    expect(echoed).toContain('[redacted]');
    for (const secret of [PASSWORD, SIGNING_SECRET, AUTHORIZATION, AUTHORIZATION.slice(6)])
      expect(echoed).not.toContain(secret);
    // ...and the receiver did get them (so the redaction above had something to remove).
    expect(receiver.received.find((r) => r.url.startsWith('/hostile/echo'))!.headers.authorization).toBe(
      AUTHORIZATION,
    );
  });

  test('a poison producer: every kind of junk is dead-lettered, nothing is appended twice, the valid events after it are delivered', async () => {
    const communicationId = uniqueName('comm-poison');
    const good = sent(communicationId, { studentId: 'S-1' });
    const json = (e: unknown) => Buffer.from(JSON.stringify(e));
    const withConfig = (change: (d: ReturnType<typeof configuration>['data']) => void) => {
      const e = configuration(communicationId, `${receiver.baseUrl}/normal/\${studentId}`);
      change(e.data);
      return json(e);
    };
    const junk: Record<string, { code: string; value: () => Buffer | null }> = {
      'not JSON': { code: 'malformed-json', value: () => Buffer.from('{"id": "never closed') },
      tombstone: { code: 'malformed-json', value: () => null },
      'invalid UTF-8': {
        code: 'malformed-json',
        value: () => {
          const b = json({ ...good, id: randomUUID() });
          b[b.indexOf('S-1')] = 0xff;
          return b;
        },
      },
      'a NUL in a field': {
        code: 'invalid-data',
        value: () => withConfig((d) => (d.campaignMode = 'prod\u0000uction')),
      },
      'a control character in a URL': {
        code: 'invalid-data',
        value: () => withConfig((d) => (d.callbacks[0].url += '\u001b[2J')),
      },
      'a password in the URL': {
        code: 'invalid-data',
        value: () => withConfig((d) => (d.callbacks[0].url = `http://ops:${PASSWORD}@127.0.0.1:1/x`)),
      },
      'a clear password in an invalid configuration': {
        code: 'invalid-data',
        value: () =>
          withConfig((d) => {
            d.callbacks[0].credentials = { type: 'basic', username: 'u', password: PASSWORD };
            (d.callbacks[0] as { method: string }).method = 'PUT';
          }),
      },
      'a lone surrogate': {
        code: 'invalid-data',
        value: () => {
          const problem = event('MessageDeliveryProblem', communicationId, {
            ...good.data,
            messageId: randomUUID(),
            problem: { stage: 'delivery', description: 'LONE' },
          });
          return Buffer.from(JSON.stringify(problem).replace('LONE', '\\ud800'));
        },
      },
      'an occurredAt a month ago': {
        code: 'invalid-envelope',
        value: () =>
          json({
            ...good,
            id: randomUUID(),
            occurredAt: new Date(Date.now() - 30 * 86_400_000).toISOString(),
          }),
      },
      'deep nesting': {
        code: 'too-deep',
        value: () =>
          Buffer.from(
            JSON.stringify({ ...good, id: randomUUID() }).replace(
              '"S-1"',
              `${'['.repeat(100)}1${']'.repeat(100)}`,
            ),
          ),
      },
      'an unknown type': {
        code: 'unknown-type',
        value: () => json({ ...good, id: randomUUID(), type: 'MessageExploded' }),
      },
    };
    const kinds = Object.keys(junk);
    // ~2,500 small junk records and a dozen of 300 KB: far more than 2 MiB of dead letters.
    const burst: { kind: string; value: Buffer | null }[] = [];
    for (let i = 0; i < 230; i++) for (const kind of kinds) burst.push({ kind, value: junk[kind].value() });
    for (let i = 0; i < 12; i++) burst.push({ kind: 'oversize', value: Buffer.alloc(300_000, '{') });
    const messages = burst.map((b) => ({ key: communicationId, value: b.value }));
    for (const part of inParts([{ topic: stack!.topics.inbound, messages }]))
      await kafka.send(stack!.topics.inbound, part[0].messages as typeof messages);

    // Behind the junk on the same partition: a configuration and members whose attribute names are
    // Dispatch's business (a space, a leading digit, an array): accepted, and `${studentId}` works.
    const config = configuration(communicationId, `${receiver.baseUrl}/normal/\${studentId}`);
    const members = Array.from({ length: 5 }, (_, i) =>
      sent(communicationId, {
        'Student ID': `S ${i}`,
        '1stName': 'Ada',
        courses: ['MATH101', { credits: 4 }],
        studentId: `S-${i}`,
      }),
    );
    await producer.send([config, ...members]);

    for (const m of members) {
      const [callback] = await settledCallbacks(m.data.messageId);
      expect(callback.state).toBe('succeeded');
    }
    expect(
      receiver.received
        .filter((r) => r.url.startsWith('/normal/S-'))
        .map((r) => r.url)
        .sort(),
    ).toEqual(members.map((_, i) => `/normal/S-${i}`));

    // Every junk record is on the dead-letter topic, once, in order, with the code of its kind.
    const dlq = (await kafka.readAll(stack!.topics.deadLetter)).filter((r) => r.key === communicationId);
    expect(dlq).toHaveLength(burst.length);
    const inOrder = [...dlq].sort(
      (a, b) => Number(a.headers[DLQ_HEADERS.sourceOffset]) - Number(b.headers[DLQ_HEADERS.sourceOffset]),
    );
    expect(inOrder.map((r) => r.headers[DLQ_HEADERS.code])).toEqual(
      burst.map((b) => (b.kind === 'oversize' ? 'oversize' : junk[b.kind].code)),
    );
    const dlqBytes = dlq.reduce(
      (n, r) =>
        n +
        (r.value?.length ?? 0) +
        Object.entries(r.headers).reduce((h, [k, v]) => h + k.length + v.length, 0),
      0,
    );
    expect(dlqBytes).toBeGreaterThan(2 * 1024 * 1024);
    // Bounded, and no clear secret: the head of a huge record, and passwords redacted (and said so).
    const oversize = inOrder.filter((r) => r.headers[DLQ_HEADERS.code] === 'oversize');
    expect(
      oversize.map((r) => [
        r.value!.length,
        r.headers[COPY_HEADERS.truncated],
        r.headers[COPY_HEADERS.originalBytes],
      ]),
    ).toEqual(oversize.map(() => [128 * 1024, 'true', '300000']));
    for (const r of dlq) expect(r.value?.toString('latin1') ?? '').not.toContain(PASSWORD);
    const redacted = inOrder.filter((_, i) => burst[i].kind.includes('password'));
    expect(redacted.map((r) => r.headers[COPY_HEADERS.redacted])).toEqual(
      burst
        .filter((b) => b.kind.includes('password'))
        .map((b) => (b.kind.includes('URL') ? 'url-userinfo:1' : 'password:1')),
    );

    // The log holds the valid events exactly once, and nothing of the junk.
    const log = (await kafka.readAll(stack!.topics.log)).filter((r) => r.key === communicationId);
    const inbound = log.filter((r) =>
      ['CommunicationConfigured', 'MessageSent'].includes(r.headers['event-type']),
    );
    expect(inbound.map((r) => r.headers['event-id'])).toEqual([config, ...members].map((e) => e.id));
  });

  test('records a consumer cannot process are parked, counted, and shown by audit and verify', async () => {
    const communicationId = uniqueName('comm-parked');
    // Garbage on the retry topic (the dispatcher can never attempt it) and on the log (the
    // projection can never apply it), keyed by the communication as real records are.
    await kafka.send(stack!.topics.retry, [{ key: communicationId, value: 'not a retry record' }]);
    await kafka.send(stack!.topics.log, [{ key: communicationId, value: '{"broken": ' }]);
    const member = sent(communicationId, { studentId: 'S-9' });
    await producer.send([configuration(communicationId, `${receiver.baseUrl}/normal/\${studentId}`), member]);
    // Behind the garbage, the communication works.
    expect((await settledCallbacks(member.data.messageId))[0].state).toBe('succeeded');

    const parked = await waitFor('a parked retry record', async () => {
      const records = (await kafka.readAll(stack!.topics.parked)).filter((r) => r.key === communicationId);
      return records.length > 0 ? records : undefined;
    });
    expect(
      parked.map((r) => [
        r.headers[PARKED_HEADERS.consumer],
        r.headers[PARKED_HEADERS.code],
        r.headers[PARKED_HEADERS.sourceTopic],
      ]),
    ).toEqual([['dispatcher-retry', 'undecodable', stack!.topics.retry]]);
    const metrics = async (url: string) => (await fetch(`${url}/metrics`)).text();
    expect(await metrics(stack!.dispatcherUrl)).toMatch(
      /records_parked_total\{consumer="dispatcher-retry"\} 1/,
    );
    expect(
      await waitFor('the projector counted its parked record', async () => {
        const text = await metrics(stack!.projectorUrl);
        return /records_parked_total\{consumer="projector"\} 1/.test(text) ? true : undefined;
      }),
    ).toBe(true);

    const audit = await runScript(
      builtEntry('projector', 'cli/audit.cli.js'),
      ['--communication', communicationId],
      stack!.projectorEnv,
    );
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(
      new RegExp(`PARKED by dispatcher-retry  ${stack!.topics.retry}\\[\\d\\]@\\d+.*undecodable`),
    );
    expect(audit.stdout).toMatch(
      new RegExp(`PARKED by projector  ${stack!.topics.log}\\[\\d\\]@\\d+.*malformed-json`),
    );
    expect(audit.stdout).toContain('2 parked record(s)');
    expect(audit.stdout).not.toContain('not a retry record');

    const { verified } = await replayAndVerify(stack!, stack!.projectorEnv, replaySchema);
    expect(verified.stdout).toContain(`PARKED  1 record(s) in ${stack!.schema}`);
    expect(verified.stdout).toContain(`PARKED  1 record(s) in ${replaySchema}`);
    expect(verified.stdout).toMatch(/projector .*malformed-json/);
  });
});
