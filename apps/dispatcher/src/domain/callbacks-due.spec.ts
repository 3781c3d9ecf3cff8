import type { CallbackConfig, LogEvent } from '@app/contracts';
import { callbacksDue } from './callbacks-due';
import { initialState, type CommunicationState } from './communication-state';

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
const event = (type: string) =>
  ({
    id: '00000000-0000-4000-8000-000000000009',
    type,
    version: 1,
    occurredAt: '2026-01-01T00:00:00Z',
    communicationId: 'c1',
    data: {},
  }) as LogEvent;

describe('callbacks due', () => {
  it('fires every callback configured for the event type, with ids from the event and the callback', () => {
    const sut = callbacksDue(event('MessageSent'), state());
    expect(sut.map((d) => d.callbackId)).toEqual([
      '00000000-0000-4000-8000-000000000009.a',
      '00000000-0000-4000-8000-000000000009.b',
    ]);
  });

  it('fires nothing for a disabled or unconfigured communication', () => {
    expect(callbacksDue(event('MessageSent'), state({ enabled: false }))).toEqual([]);
    expect(callbacksDue(event('MessageSent'), initialState('c1'))).toEqual([]);
  });

  it("fires nothing for the service's own events", () => {
    for (const t of [
      'CallbackAttempted',
      'CallbackFailed',
      'CallbackCancelled',
      'CommunicationDisabled',
      'CommunicationEnabled',
    ]) {
      expect(callbacksDue(event(t), state())).toEqual([]);
    }
  });
});
