import type { CallbackConfig, LogEvent } from '@app/contracts';
import { callbacksDue } from './callbacks.due';
import { initialState, type CommunicationState } from './communication.state';

const cb = (id: string, event: CallbackConfig['event']): CallbackConfig => ({
  id,
  event,
  method: 'GET',
  url: 'https://example.org/x',
});
const state = (over: Partial<CommunicationState> = {}): CommunicationState => ({
  ...initialState('c1'),
  config: {
    campaignId: 'k',
    campaignMode: 'production',
    environment: {},
    notificationList: [],
    callbacks: [cb('a', 'MessageSent'), cb('b', 'MessageSent'), cb('c', 'CommunicationCompleted')],
  },
  ...over,
});
const TRIGGER_ID = '00000000-0000-4000-8000-000000000009';
const event = (type: string, data: unknown = {}) =>
  ({
    id: TRIGGER_ID,
    type,
    version: 1,
    occurredAt: '2026-01-01T00:00:00Z',
    communicationId: 'c1',
    data,
  }) as LogEvent;
const sent = event('MessageSent', {
  messageId: '00000000-0000-4000-8000-000000000010',
  batchId: 'b1',
  memberAttributes: {},
});
const resend = (callbackConfigId: string, attempt = 4) =>
  ({
    ...event('CallbackResendRequested', {
      callbackId: `${TRIGGER_ID}.${callbackConfigId}`,
      callbackConfigId,
      method: 'GET',
      attempt,
      trigger: sent,
      by: 'on-call',
      reason: 'receiver fixed',
      recoveryId: null,
    }),
    id: '00000000-0000-4000-8000-000000000011',
  }) as LogEvent;

describe('callbacks due', () => {
  it('given an enabled communication, when a message event arrives, then every callback for its type is attempted', () => {
    const sut = callbacksDue(event('MessageSent'), state());
    expect(sut.map((d) => d.action === 'attempt' && [d.due.callbackId, d.due.attempt, d.due.final])).toEqual([
      [`${TRIGGER_ID}.a`, 1, false],
      [`${TRIGGER_ID}.b`, 1, false],
    ]);
  });

  it('given a disabled communication, when a message event arrives, then its callbacks are cancelled with no attempt', () => {
    const sut = callbacksDue(sent, state({ enabled: false }));
    expect(sut).toEqual([
      expect.objectContaining({ action: 'cancel', attempts: 0, reason: 'communication-disabled' }),
      expect.objectContaining({ action: 'cancel', attempts: 0, reason: 'communication-disabled' }),
    ]);
    expect(sut.map((d) => d.action === 'cancel' && d.ref.callbackId)).toEqual([
      `${TRIGGER_ID}.a`,
      `${TRIGGER_ID}.b`,
    ]);
  });

  it('given no configuration yet, then nothing is due', () => {
    expect(callbacksDue(event('MessageSent'), initialState('c1'))).toEqual([]);
  });

  it("given the service's own events, then nothing is due", () => {
    for (const t of [
      'CallbackAttempted',
      'CallbackFailed',
      'CallbackCancelled',
      'CommunicationDisabled',
      'CommunicationEnabled',
      'CommunicationRecoveryRequested',
    ]) {
      expect(callbacksDue(event(t), state())).toEqual([]);
    }
  });

  it('given a resend, then one final attempt with its number and the current configuration is due', () => {
    const [sut] = callbacksDue(resend('a'), state());
    expect(sut).toMatchObject({
      action: 'attempt',
      due: {
        callbackId: `${TRIGGER_ID}.a`,
        attempt: 4,
        final: true,
        callback: { id: 'a' },
        trigger: { id: TRIGGER_ID },
      },
    });
  });

  it('given a resend while disabled, then it is cancelled keeping the attempts the callback had', () => {
    const [sut] = callbacksDue(resend('a', 3), state({ enabled: false }));
    expect(sut).toMatchObject({ action: 'cancel', attempts: 2, reason: 'communication-disabled' });
  });

  it('given a resend of a callback the configuration no longer has, then it is cancelled as such', () => {
    const [sut] = callbacksDue(resend('gone'), state());
    expect(sut).toMatchObject({
      action: 'cancel',
      reason: 'callback-not-configured',
      ref: { callbackConfigId: 'gone', method: 'GET', url: null },
    });
  });

  it('given a resend whose trigger is not a valid event, then it is reported as invalid', () => {
    const bad = resend('a') as { data: { trigger: unknown } } & LogEvent;
    bad.data.trigger = { ...sent, data: { messageId: 'not-a-uuid' } };
    expect(callbacksDue(bad, state())).toEqual([expect.objectContaining({ action: 'invalid' })]);
  });
});
