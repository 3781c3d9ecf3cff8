import { callbackAttemptedExample, exampleOf, storedConfigurationExample } from './example-events.fixture';
import { LIMITS } from './limits';
import {
  checkOccurredAt,
  decodeEvent,
  encodeEvent,
  Rejection,
  RejectionCode,
  validateEvent,
} from './validate';

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

function rejectionOf(result: { ok: true } | { ok: false; rejection: Rejection }): Rejection {
  if (result.ok) throw new Error('expected a rejection, the event was accepted');
  return result.rejection;
}

describe('decodeEvent / validateEvent rejection codes', () => {
  const sent = () => exampleOf('MessageSent');

  it('accepts a valid event and returns it unchanged', () => {
    expect(decodeEvent(bytes(sent()), 'inbound')).toEqual({ ok: true, event: sent() });
  });

  it('oversize: a value above maxEventBytes, before even parsing it', () => {
    const sut = decodeEvent(Buffer.alloc(LIMITS.maxEventBytes + 1, '{'), 'inbound');
    expect(rejectionOf(sut).code).toBe<RejectionCode>('oversize');
  });

  it.each([
    ['an empty value', Buffer.alloc(0)],
    ['a null value (tombstone)', null],
    ['truncated JSON', Buffer.from('{"id": "3d06')],
    ['not JSON at all', Buffer.from('MessageSent for comm-1')],
  ])('malformed-json: %s', (_, value) => {
    expect(rejectionOf(decodeEvent(value, 'inbound')).code).toBe<RejectionCode>('malformed-json');
  });

  it.each<[string, (e: Record<string, unknown>) => unknown, string]>([
    ['missing id', ({ id: _, ...rest }) => rest, 'id'],
    ['id that is not a UUID', (e) => ({ ...e, id: 'event-1' }), 'id'],
    ['version that is not an integer', (e) => ({ ...e, version: 1.5 }), 'version'],
    ['version as a string', (e) => ({ ...e, version: '1' }), 'version'],
    ['occurredAt without a zone', (e) => ({ ...e, occurredAt: '2026-11-03T09:00:04' }), 'occurredAt'],
    ['communicationId with a slash', (e) => ({ ...e, communicationId: 'comm/1' }), 'communicationId'],
    ['missing data', ({ data: _, ...rest }) => rest, 'data'],
    ['an unknown envelope field', (e) => ({ ...e, tenant: 'x' }), '(root)'],
    ['an array instead of an object', (e) => [e], '(root)'],
  ])('invalid-envelope: %s', (_, change, path) => {
    const sut = rejectionOf(validateEvent(change(sent() as unknown as Record<string, unknown>), 'inbound'));
    expect(sut.code).toBe<RejectionCode>('invalid-envelope');
    expect(sut.issues.map((i) => i.path)).toContain(path);
  });

  it('unknown-type: a type no contract defines', () => {
    const sut = rejectionOf(validateEvent({ ...sent(), type: 'MessageOpened' }, 'inbound'));
    expect(sut).toMatchObject({ code: 'unknown-type', issues: [{ path: 'type' }] });
  });

  it('unknown-type: a prototype property name is not a type', () => {
    expect(rejectionOf(validateEvent({ ...sent(), type: 'toString' }, 'inbound')).code).toBe('unknown-type');
  });

  it('unknown-version: a version of a known type that does not exist (yet)', () => {
    const sut = rejectionOf(validateEvent({ ...sent(), version: 2 }, 'inbound'));
    expect(sut).toMatchObject({ code: 'unknown-version', issues: [{ path: 'version' }] });
  });

  it('internal-type: producers cannot send the events this service appends itself', () => {
    const attempted = callbackAttemptedExample();
    expect(rejectionOf(validateEvent(attempted, 'inbound'))).toMatchObject({
      code: 'internal-type',
      issues: [{ path: 'type' }],
    });
    expect(validateEvent(attempted, 'stored')).toEqual({ ok: true, event: attempted });
  });

  it('invalid-data: names every wrong field with its path under data', () => {
    const config = exampleOf('CommunicationConfigured') as unknown as {
      data: { callbacks: Record<string, unknown>[]; notificationList: string[]; campaignMode?: string };
    };
    config.data.callbacks[1].method = 'PUT';
    config.data.notificationList[0] = 'not-an-address';
    delete config.data.campaignMode;
    const sut = rejectionOf(validateEvent(config, 'inbound'));
    expect(sut.code).toBe<RejectionCode>('invalid-data');
    expect(sut.issues.map((i) => i.path).sort()).toEqual([
      'data.callbacks.1.method',
      'data.campaignMode',
      'data.notificationList.0',
    ]);
  });

  it('invalid-data: unknown fields in data are refused, not ignored', () => {
    const event = { ...sent(), data: { ...sent().data, memberId: 'x' } };
    expect(rejectionOf(validateEvent(event, 'inbound'))).toMatchObject({
      code: 'invalid-data',
      issues: [{ path: 'data' }],
    });
  });

  it('reports at most 50 issues, so one hostile event cannot flood the dead-letter headers', () => {
    const event = exampleOf('CommunicationConfigured') as unknown as {
      data: { environment: Record<string, unknown> };
    };
    for (let i = 0; i < 120; i++) event.data.environment[`a${i}`] = { nested: true };
    expect(rejectionOf(validateEvent(event, 'inbound')).issues).toHaveLength(50);
  });

  it('encodeEvent output decodes to the same stored event', () => {
    const attempted = callbackAttemptedExample();
    expect(decodeEvent(encodeEvent(attempted), 'stored')).toEqual({ ok: true, event: attempted });
  });
});

describe('hostile producers', () => {
  const sent = () => exampleOf('MessageSent');

  it('malformed-json: bytes that are not UTF-8 are refused, not replaced', () => {
    const json = Buffer.from(JSON.stringify(sent()));
    const at = json.indexOf('Ada');
    const broken = Buffer.concat([json.subarray(0, at), Buffer.from([0xc3, 0x28]), json.subarray(at)]);
    expect(rejectionOf(decodeEvent(broken, 'inbound'))).toMatchObject({
      code: 'malformed-json',
      message: 'not valid UTF-8',
    });
  });

  it('malformed-json: the reason never quotes the input (it may hold a secret)', () => {
    const sut = rejectionOf(decodeEvent(Buffer.from('{"password": "hunter2-secret" oops'), 'inbound'));
    expect(sut.message).not.toContain('hunter2');
  });

  it('too-deep: nesting beyond the limit is refused before any schema walks it', () => {
    const deep = Buffer.from(`{"id":${'['.repeat(30_000)}${']'.repeat(30_000)}}`);
    expect(rejectionOf(decodeEvent(deep, 'inbound')).code).toBe<RejectionCode>('too-deep');
    expect(rejectionOf(validateEvent(JSON.parse(deep.toString()), 'stored')).code).toBe('too-deep');
  });

  it.each<[string, (e: ReturnType<typeof exampleOf<'CommunicationConfigured'>>) => void, string]>([
    ['a NUL in the campaign mode', (e) => (e.data.campaignMode = 'prod\u0000'), 'data.campaignMode'],
    ['a line feed in a URL template', (e) => (e.data.callbacks[0].url += '\n'), 'data.callbacks.0.url'],
    [
      'a control character in an environment value',
      (e) => (e.data.environment.term = 'x\u001b[2J'),
      'data.environment.term',
    ],
    [
      'a lone surrogate in a password',
      (e) => (e.data.callbacks[0].credentials!.password = 'pw\ud800'),
      'data.callbacks.0.credentials.password',
    ],
  ])('invalid-data: %s', (_, change, path) => {
    const e = exampleOf('CommunicationConfigured');
    change(e);
    const sut = rejectionOf(validateEvent(e, 'inbound'));
    expect(sut.code).toBe<RejectionCode>('invalid-data');
    expect(sut.issues.map((i) => i.path)).toContain(path);
  });

  it('free text may hold line breaks and tabs, not a NUL', () => {
    const e = exampleOf('MessageDeliveryProblem');
    e.data.problem.description = 'first line\r\n\tsecond line';
    expect(validateEvent(e, 'inbound').ok).toBe(true);
    e.data.problem.description = 'nul\u0000';
    expect(rejectionOf(validateEvent(e, 'inbound')).issues).toEqual([
      { path: 'data.problem.description', message: expect.stringMatching(/control characters/) },
    ]);
  });

  it('member attributes are Dispatch data: any name, any JSON value, even control characters', () => {
    const e = sent();
    e.data.memberAttributes = {
      'Student ID': 'S-1',
      '1stName': 'Ada',
      courses: ['MATH101', { code: 'CS1', credits: 4 }],
      note: 'tab\there, nul\u0000 too',
    };
    expect(validateEvent(e, 'inbound')).toEqual({ ok: true, event: e });
  });

  it('refuses a URL template with user information from producers; the log keeps old ones readable', () => {
    const e = exampleOf('CommunicationConfigured');
    e.data.callbacks[2].url = 'https://user:pa55word@apps.example.edu/notify/${studentId}';
    expect(rejectionOf(validateEvent(e, 'inbound')).issues.map((i) => i.path)).toEqual([
      'data.callbacks.2.url',
    ]);
    const stored = storedConfigurationExample();
    stored.data.callbacks[0].url = 'https://user:pa55word@apps.example.edu/';
    expect(validateEvent(stored, 'stored').ok).toBe(true);
  });

  it('keeps an @ in the path or query of a URL template', () => {
    const e = exampleOf('CommunicationConfigured');
    e.data.callbacks[2].url = 'https://apps.example.edu/notify/${email}?cc=ops@example.edu';
    expect(validateEvent(e, 'inbound').ok).toBe(true);
  });

  it('holds events already on the log to their stored schema only (they stay readable)', () => {
    const attempted = callbackAttemptedExample();
    attempted.data.responseSnippet = 'nul \u0000 and escape \u001b';
    expect(validateEvent(attempted, 'stored').ok).toBe(true);
  });
});

describe('checkOccurredAt', () => {
  const DAY = 86_400_000;
  const now = Date.parse('2026-11-30T12:00:00Z');
  const at = (iso: string) => ({ occurredAt: iso });

  it('accepts an instant within the window on either side, with any zone', () => {
    expect(checkOccurredAt(at('2026-11-23T12:00:00Z'), now, 7 * DAY).ok).toBe(true);
    expect(checkOccurredAt(at('2026-12-07T13:00:00+01:00'), now, 7 * DAY).ok).toBe(true);
  });

  it('refuses one just outside the window as an invalid envelope naming occurredAt', () => {
    const sut = rejectionOf(checkOccurredAt(at('2026-11-23T11:59:59Z'), now, 7 * DAY));
    expect(sut).toMatchObject({ code: 'invalid-envelope', issues: [{ path: 'occurredAt' }] });
    expect(rejectionOf(checkOccurredAt(at('2036-01-01T00:00:00Z'), now, 7 * DAY)).code).toBe(
      'invalid-envelope',
    );
  });
});
