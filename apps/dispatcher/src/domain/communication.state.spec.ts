import type { LogEvent } from '@app/contracts';
import { evolve, initialState } from './communication.state';

const env = (type: string, data: unknown) =>
  ({
    id: '00000000-0000-4000-8000-000000000001',
    type,
    version: 1,
    occurredAt: '2026-01-01T00:00:00Z',
    communicationId: 'c1',
    data,
  }) as LogEvent;
const config = {
  campaignId: 'k',
  campaignMode: 'production',
  environment: {},
  callbacks: [],
  notificationList: [],
};
const disabledEvent = env('CommunicationDisabled', {
  callbackId: null,
  causeEventId: null,
  reason: 'x',
  by: 'op',
});

describe('communication state', () => {
  it('takes the configuration from CommunicationConfigured', () => {
    const sut = evolve(initialState('c1'), env('CommunicationConfigured', config), 5n);
    expect(sut).toMatchObject({ config, enabled: true, position: '5' });
  });

  it('disables on CallbackFailed or CommunicationDisabled and bumps the epoch once', () => {
    const once = evolve(initialState('c1'), disabledEvent, 1n);
    const twice = evolve(once, env('CallbackFailed', {}), 2n);
    expect(once).toMatchObject({ enabled: false, epoch: 1 });
    expect(twice).toBe(once);
  });

  it('enables again on CommunicationEnabled, keeping the epoch', () => {
    const off = evolve(initialState('c1'), disabledEvent, 1n);
    const sut = evolve(off, env('CommunicationEnabled', { by: 'op', reason: 'fixed' }), 2n);
    expect(sut).toMatchObject({ enabled: true, epoch: 1 });
  });

  it('ignores an event at or before its position (the same event twice)', () => {
    const once = evolve(initialState('c1'), disabledEvent, 7n);
    const enabledAgain = evolve(once, env('CommunicationEnabled', { by: 'op', reason: 'fixed' }), 7n);
    expect(enabledAgain).toBe(once);
  });

  it('returns the same object for events that do not change state', () => {
    const start = initialState('c1');
    expect(evolve(start, env('MessageSent', {}), 3n)).toBe(start);
    expect(evolve(start, env('CallbackAttempted', {}), 4n)).toBe(start);
  });
});

describe('communication state: active periods', () => {
  const enabledEvent = {
    ...env('CommunicationEnabled', { by: 'op', reason: 'fixed' }),
    id: '00000000-0000-4000-8000-0000000000e1',
  } as LogEvent;
  const failed = (activeSince: string | null | undefined) =>
    env('CallbackFailed', activeSince === undefined ? {} : { activeSince });

  it('given a re-enabled communication, then the enable starts a new active period', () => {
    const off = evolve(initialState('c1'), disabledEvent, 1n);
    const sut = evolve(off, enabledEvent, 2n);
    expect(sut).toMatchObject({ enabled: true, epoch: 1, activeSince: enabledEvent.id });
  });

  it('given a failure from an earlier active period, then it does not disable the communication again', () => {
    const on = evolve(evolve(initialState('c1'), disabledEvent, 1n), enabledEvent, 2n);
    expect(evolve(on, failed(null), 3n)).toBe(on);
  });

  it('given a failure of the current period (or one written before periods existed), then it disables', () => {
    const on = evolve(evolve(initialState('c1'), disabledEvent, 1n), enabledEvent, 2n);
    expect(evolve(on, failed(enabledEvent.id), 3n)).toMatchObject({ enabled: false, epoch: 2 });
    expect(evolve(on, failed(undefined), 3n)).toMatchObject({ enabled: false, epoch: 2 });
  });
});
