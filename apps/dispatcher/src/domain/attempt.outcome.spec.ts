import type { Lifecycle } from '@app/contracts';
import { recordAttempt, type AttemptReport } from './attempt.outcome';
import type { AttemptVerdict } from './retry.policy';

const trigger = {
  id: 'e0000000-0000-4000-8000-000000000002',
  type: 'MessageSent',
  version: 1,
  occurredAt: '2026-01-01T00:00:00.000Z',
  communicationId: 'comm-1',
  data: { messageId: 'e0000000-0000-4000-8000-000000000003', batchId: 'b', memberAttributes: {} },
} as const;
const config = {
  campaignId: 'c',
  campaignMode: 'production',
  environment: {},
  notificationList: ['ops@example.org'],
  callbacks: [{ id: 'cb', event: 'MessageSent', method: 'GET', url: 'https://example.org/x' }],
} as const;
const ENABLE_ID = 'e0000000-0000-4000-8000-0000000000aa';
let n = 0;
const stamp = () => ({
  eventId: `e0000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  occurredAt: new Date(0),
});
const failure = { kind: 'status' as const, message: 'HTTP 500' };

const report = (verdict: AttemptVerdict, attempt = 3, epoch = 1): AttemptReport => ({
  started: {
    communicationId: 'comm-1',
    callbackId: `${trigger.id}.cb`,
    callbackConfigId: 'cb',
    attempt,
    epoch,
    final: false,
    trigger: trigger as never,
    config: config as never,
  },
  ref: {
    callbackId: `${trigger.id}.cb`,
    callbackConfigId: 'cb',
    triggerEventId: trigger.id,
    triggerType: 'MessageSent',
    messageId: trigger.data.messageId,
    method: 'GET',
    url: 'https://example.org/x',
  },
  sent: true,
  verdict,
  record: {
    attempt,
    startedAt: new Date(0),
    durationMs: 5,
    statusCode: 500,
    responseSnippet: 'boom',
    retryAfterMs: null,
  },
});
const active: Lifecycle = { enabled: true, epoch: 1, activeSince: ENABLE_ID };

describe('recording an attempt', () => {
  it('given the last attempt failed in the current period, then it records the attempt and a CallbackFailed naming the period', () => {
    const sut = recordAttempt(report({ outcome: 'failed', error: failure }), active, stamp);
    expect(sut.events.map((e) => e.type)).toEqual(['CallbackAttempted', 'CallbackFailed']);
    expect(sut.events[1].data).toMatchObject({ attempts: 3, activeSince: ENABLE_ID, lastStatusCode: 500 });
    expect(sut).toMatchObject({ failed: true, retry: null, outcome: 'failed' });
  });

  it('given a retrying attempt, then it schedules the next attempt at the verdict time', () => {
    const next = new Date('2026-01-01T00:05:00.000Z');
    const sut = recordAttempt(
      report({ outcome: 'retrying', error: failure, nextAttemptAt: next }, 1),
      active,
      stamp,
    );
    expect(sut.retry).toMatchObject({
      attempt: 2,
      dueAt: next.toISOString(),
      epoch: 1,
      callbackId: `${trigger.id}.cb`,
    });
    expect(sut.retry?.config.notificationList).toEqual([]);
    expect(sut.events[0].data).toMatchObject({ outcome: 'retrying', nextAttemptAt: next.toISOString() });
  });

  it('given the communication was disabled and re-enabled while a handed-off attempt ran, then its failure disables nothing', () => {
    const reEnabled: Lifecycle = { enabled: true, epoch: 2, activeSince: ENABLE_ID };
    const sut = recordAttempt(report({ outcome: 'failed', error: failure }), reEnabled, stamp);
    expect(sut.events.map((e) => [e.type, 'outcome' in e.data ? e.data.outcome : undefined])).toEqual([
      ['CallbackAttempted', 'cancelled'],
      ['CallbackCancelled', undefined],
    ]);
    expect(sut).toMatchObject({ failed: false, retry: null, outcome: 'cancelled' });
  });

  it('given the communication is disabled, then a retrying attempt is not retried', () => {
    const off: Lifecycle = { enabled: false, epoch: 2, activeSince: null };
    const sut = recordAttempt(
      report({ outcome: 'retrying', error: failure, nextAttemptAt: new Date() }, 1),
      off,
      stamp,
    );
    expect(sut.retry).toBeNull();
    expect(sut.events[1]).toMatchObject({ type: 'CallbackCancelled', data: { attempts: 1 } });
  });

  it('given a success, then it is recorded as one whatever happened to the communication', () => {
    const off: Lifecycle = { enabled: false, epoch: 5, activeSince: null };
    const sut = recordAttempt(report({ outcome: 'succeeded' }), off, stamp);
    expect(sut.events.map((e) => e.type)).toEqual(['CallbackAttempted']);
    expect(sut.outcome).toBe('succeeded');
  });

  it('given a request that never left, then the callback is cancelled with the attempts it had', () => {
    const { started, ref } = report({ outcome: 'succeeded' }, 2);
    const sut = recordAttempt({ started, ref, sent: false }, active, stamp);
    expect(sut.events).toEqual([
      expect.objectContaining({ type: 'CallbackCancelled', data: expect.objectContaining({ attempts: 1 }) }),
    ]);
    expect(sut.outcome).toBe('not-sent');
  });

  it('given a receiver that asked for a later retry, then the attempt records what it asked', () => {
    const r = report({ outcome: 'retrying', error: failure, nextAttemptAt: new Date() }, 1);
    if (r.sent) r.record.retryAfterMs = 120_000;
    expect(recordAttempt(r, active, stamp).events[0].data).toMatchObject({ retryAfterMs: 120_000 });
  });
});
