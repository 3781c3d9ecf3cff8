import { callbackIdOf, type LogEvent } from '@app/contracts';
import { evolve, type ProjectionChanges, type ProjectionState } from './projection.evolve';

const COMM = 'comm-1';
let seq = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;
const at = () => new Date(Date.UTC(2026, 10, 3, 9, 0, seq)).toISOString();
const event = (type: string, data: unknown): LogEvent =>
  ({ id: uuid(), type, version: 1, occurredAt: at(), communicationId: COMM, data }) as LogEvent;

const configuredEvent = () =>
  event('CommunicationConfigured', {
    campaignId: 'camp',
    campaignMode: 'production',
    environment: {},
    notificationList: ['ops@example.test', 'Owner@example.test'],
    callbacks: [{ id: 'cb', event: 'MessageSent', method: 'GET', url: 'https://app.example.test/${id}' }],
  });
const sent = () => event('MessageSent', { messageId: uuid(), batchId: 'b1', memberAttributes: {} });
const ref = (trigger: LogEvent) => ({
  callbackId: callbackIdOf(trigger.id, 'cb'),
  callbackConfigId: 'cb',
  triggerEventId: trigger.id,
  triggerType: 'MessageSent',
  messageId: (trigger.data as { messageId: string }).messageId,
  method: 'GET',
  url: null,
});
const failed = (trigger: LogEvent, activeSince?: string | null) =>
  event('CallbackFailed', {
    ...ref(trigger),
    attempts: 3,
    reason: { kind: 'status', message: 'HTTP 500' },
    lastStatusCode: 500,
    ...(activeSince !== undefined && { activeSince }),
  });
const cancelled = (trigger: LogEvent) =>
  event('CallbackCancelled', { ...ref(trigger), attempts: 0, reason: 'communication-disabled' });
const enabledEvent = () => event('CommunicationEnabled', { by: 'jane', reason: 'fixed', adminKey: 'oncall' });

const empty = (): ProjectionState => ({
  communications: new Map(),
  messages: new Map(),
  batches: new Map(),
  callbacks: new Map(),
  recoveries: new Map(),
});

/** Folds events one chunk at a time, carrying the rows over as the store would (log positions go on). */
function fold(chunks: LogEvent[][], mode: 'live' | 'replay' = 'live'): ProjectionChanges[] {
  const state = empty();
  let offset = 0;
  return chunks.map((events) => {
    const changes = evolve(
      state,
      events.map((e) => ({ event: e, position: { partition: 0, offset: String(offset++), timestamp: '0' } })),
      { mode },
    );
    for (const table of ['communications', 'messages', 'batches', 'callbacks', 'recoveries'] as const)
      for (const [k, v] of changes[table]) (state[table] as Map<string, unknown>).set(k, v);
    return changes;
  });
}

describe('projection: disable, alerts and recovery', () => {
  it('given several failures, then only the one that disables writes a CommunicationDisabled and one email per address', () => {
    const [m1, m2] = [sent(), sent()];
    const [c] = fold([[configuredEvent(), m1, m2, failed(m1), failed(m2)]]);
    expect(c.outboxEvents.map((o) => o.eventType)).toEqual(['CommunicationDisabled']);
    expect(c.emails.map((e) => [e.toAddress, e.kind, e.sequence])).toEqual([
      ['ops@example.test', 'disabled', 0],
      ['owner@example.test', 'disabled', 0],
    ]);
    expect(c.communications.get(COMM)).toMatchObject({
      status: 'disabled',
      disabledFailed: 1,
      disabledCancelled: 0,
    });
  });

  it('given a disabled communication, when callbacks are cancelled, then the digest counts them', () => {
    const [m1, m2, m3] = [sent(), sent(), sent()];
    const [, c] = fold([
      [configuredEvent(), m1, failed(m1)],
      [m2, m3, cancelled(m2), cancelled(m3)],
    ]);
    expect(c.callbacks.get(callbackIdOf(m2.id, 'cb'))).toMatchObject({ state: 'cancelled', attempts: 0 });
    expect(c.communications.get(COMM)).toMatchObject({ disabledCancelled: 2 });
    expect(c.emails).toEqual([]);
  });

  it('given a re-enable, when a failure from the earlier active period arrives, then nothing is disabled', () => {
    const [m1, m2] = [sent(), sent()];
    const [, c] = fold([
      [configuredEvent(), m1, failed(m1, null)],
      [enabledEvent(), m2, failed(m2, null)],
    ]);
    expect(c.communications.get(COMM)).toMatchObject({ status: 'active' });
    expect(c.callbacks.get(callbackIdOf(m2.id, 'cb'))).toMatchObject({ state: 'failed' });
    expect(c.outboxEvents).toEqual([]);
    expect(c.emails).toEqual([]);
  });

  it('given a re-enable, when a failure of the new period arrives, then it is a new disable and a new alert', () => {
    const [m1, m2] = [sent(), sent()];
    const enable = enabledEvent();
    const [, c] = fold([
      [configuredEvent(), m1, failed(m1)],
      [enable, m2, failed(m2, enable.id)],
    ]);
    expect(c.communications.get(COMM)).toMatchObject({
      status: 'disabled',
      activeSince: enable.id,
      disabledFailed: 0,
      disabledCancelled: 0,
    });
    expect(c.emails).toHaveLength(2);
  });

  it('given an enable of an active communication, then its active period stays', () => {
    const [, c] = fold([[configuredEvent()], [enabledEvent()]]);
    expect(c.communications.get(COMM)).toMatchObject({
      status: 'active',
      activeSince: null,
      enabledBy: 'jane',
    });
  });

  it('keeps the triggering event of a configured callback, also while disabled, for resends', () => {
    const [m1, m2] = [sent(), sent()];
    const [c] = fold([[configuredEvent(), m1, failed(m1), m2]]);
    expect(c.triggerEvents.map((t) => t.eventId)).toEqual([m1.id, m2.id]);
    expect(c.triggerEvents[1].payload).toEqual(m2);
  });

  it('given a recovery and its resends, then the callbacks are pending again and the recovery cursor follows the log', () => {
    const [m1, m2] = [sent(), sent()];
    const recoveryId = uuid();
    const resend = (m: LogEvent) =>
      event('CallbackResendRequested', {
        callbackId: callbackIdOf(m.id, 'cb'),
        callbackConfigId: 'cb',
        method: 'GET',
        attempt: 4,
        trigger: m,
        by: 'jane',
        reason: 'fixed',
        adminKey: 'oncall',
        recoveryId,
      });
    const recovery = event('CommunicationRecoveryRequested', {
      recoveryId,
      since: '2026-11-03T09:00:00.000Z',
      states: ['failed', 'cancelled'],
      by: 'jane',
      reason: 'fixed',
      adminKey: 'oncall',
    });
    const [, c] = fold([
      [configuredEvent(), m1, m2, failed(m1), cancelled(m2)],
      [enabledEvent(), recovery, resend(m1), resend(m2)],
    ]);
    expect(c.callbacks.get(callbackIdOf(m1.id, 'cb'))).toMatchObject({
      state: 'pending',
      attempts: 3,
      finishedAt: null,
    });
    expect(c.callbacks.get(callbackIdOf(m2.id, 'cb'))).toMatchObject({ state: 'pending' });
    expect(c.recoveries.get(recoveryId)).toMatchObject({
      resent: 2,
      lastCallbackId: callbackIdOf(m2.id, 'cb'),
      requestedBy: 'jane',
      adminKey: 'oncall',
      states: ['failed', 'cancelled'],
    });
  });

  it('given an attempt recorded as cancelled, then the CallbackCancelled after it settles the callback', () => {
    const m1 = sent();
    const attempted = event('CallbackAttempted', {
      ...ref(m1),
      attempt: 1,
      startedAt: at(),
      durationMs: 5,
      statusCode: 500,
      error: { kind: 'status', message: 'HTTP 500' },
      responseSnippet: null,
      outcome: 'cancelled',
      nextAttemptAt: null,
    });
    const [c] = fold([[configuredEvent(), m1, attempted]]);
    expect(c.callbacks.get(callbackIdOf(m1.id, 'cb'))).toMatchObject({ state: 'pending', attempts: 1 });
    const [, d] = fold([
      [configuredEvent(), m1, attempted],
      [{ ...cancelled(m1), data: { ...cancelled(m1).data, attempts: 1 } } as LogEvent],
    ]);
    expect(d.callbacks.get(callbackIdOf(m1.id, 'cb'))).toMatchObject({ state: 'cancelled', attempts: 1 });
  });

  it('given a replay, then the alert is recorded as suppressed', () => {
    const m1 = sent();
    const [c] = fold([[configuredEvent(), m1, failed(m1)]], 'replay');
    expect(c.emails.map((e) => e.status)).toEqual(['suppressed', 'suppressed']);
  });
});
