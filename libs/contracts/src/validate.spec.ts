import { callbackAttemptedExample, exampleOf } from './example-events.fixture';
import { LIMITS } from './limits';
import { decodeEvent, encodeEvent, Rejection, RejectionCode, validateEvent } from './validate';

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
    const event = sent() as unknown as { data: { memberAttributes: Record<string, unknown> } };
    for (let i = 0; i < 120; i++) event.data.memberAttributes[`a${i}`] = { nested: true };
    expect(rejectionOf(validateEvent(event, 'inbound')).issues).toHaveLength(50);
  });

  it('encodeEvent output decodes to the same stored event', () => {
    const attempted = callbackAttemptedExample();
    expect(decodeEvent(encodeEvent(attempted), 'stored')).toEqual({ ok: true, event: attempted });
  });
});
