import type { LogEvent } from '../validate';
import {
  enableRefusal,
  endsHolds,
  failureDisables,
  failureHolds,
  inEpoch,
  mayLeave,
  INITIAL_LIFECYCLE,
  lifecycleAfter,
} from './communication.lifecycle';

const ev = (type: string, data: unknown, id = '00000000-0000-4000-8000-000000000001') =>
  ({ id, type, version: 1, occurredAt: '2026-01-01T00:00:00Z', communicationId: 'c', data }) as LogEvent;
const ENABLE = ev(
  'CommunicationEnabled',
  { by: 'op', reason: 'fixed' },
  '00000000-0000-4000-8000-0000000000e1',
);

describe('communication lifecycle (shared by dispatcher and projector)', () => {
  it('given an active communication, when a callback fails, then it is disabled and the epoch moves', () => {
    const sut = lifecycleAfter(INITIAL_LIFECYCLE, ev('CallbackFailed', { activeSince: null }));
    expect(sut).toEqual({ enabled: false, epoch: 1, activeSince: null });
  });

  it('given a disabled communication, when another failure or disable comes, then nothing changes', () => {
    const off = lifecycleAfter(INITIAL_LIFECYCLE, ev('CommunicationDisabled', {}));
    expect(lifecycleAfter(off, ev('CallbackFailed', {}))).toBe(off);
    expect(lifecycleAfter(off, ev('CommunicationDisabled', {}))).toBe(off);
  });

  it('given a re-enable, then a failure of the period before it disables nothing', () => {
    const on = lifecycleAfter(lifecycleAfter(INITIAL_LIFECYCLE, ev('CommunicationDisabled', {})), ENABLE);
    expect(on).toEqual({ enabled: true, epoch: 1, activeSince: ENABLE.id });
    expect(failureDisables(on, { activeSince: null })).toBe(false);
    expect(failureDisables(on, { activeSince: ENABLE.id })).toBe(true);
    expect(failureDisables(on, {})).toBe(true);
  });

  it('given an enable of an active communication, then its period does not change', () => {
    expect(lifecycleAfter(INITIAL_LIFECYCLE, ENABLE)).toBe(INITIAL_LIFECYCLE);
  });

  it('given an attempt started in an epoch, then only that enabled epoch may fail or retry it', () => {
    const off = lifecycleAfter(INITIAL_LIFECYCLE, ev('CommunicationDisabled', {}));
    const onAgain = lifecycleAfter(off, ENABLE);
    expect(inEpoch(INITIAL_LIFECYCLE, 0)).toBe(true);
    expect(inEpoch(off, 0)).toBe(false);
    expect(inEpoch(onAgain, 0)).toBe(false);
    expect(inEpoch(onAgain, 1)).toBe(true);
  });

  it('given an enable request, then it needs a disabled communication whose disable is on the log', () => {
    const off = lifecycleAfter(INITIAL_LIFECYCLE, ev('CommunicationDisabled', {}));
    expect(enableRefusal(INITIAL_LIFECYCLE, false)).toBe('not-disabled');
    expect(enableRefusal(off, true)).toBe('disable-pending');
    expect(enableRefusal(off, false)).toBeNull();
  });

  it('given an attempt that failed for good in its epoch, then it holds the communication until its CallbackFailed is read back', () => {
    expect(failureHolds(INITIAL_LIFECYCLE, 0, true)).toBe(true);
    expect(mayLeave(INITIAL_LIFECYCLE, 0, true)).toBe(false);
    expect(endsHolds(ev('CallbackFailed', {}))).toBe(true);
    expect(endsHolds(ev('CallbackAttempted', {}))).toBe(false);
    expect(endsHolds(ev('CommunicationDisabled', {}))).toBe(false);
  });

  it('given an attempt that retries, or failed after its epoch ended, then it holds nothing', () => {
    const off = lifecycleAfter(INITIAL_LIFECYCLE, ev('CommunicationDisabled', {}));
    const onAgain = lifecycleAfter(off, ENABLE);
    expect(failureHolds(INITIAL_LIFECYCLE, 0, false)).toBe(false);
    expect(failureHolds(off, 0, true)).toBe(false);
    expect(failureHolds(onAgain, 0, true)).toBe(false);
  });

  it('given no failure on its way, then a request leaves only in the epoch it started in', () => {
    const off = lifecycleAfter(INITIAL_LIFECYCLE, ev('CommunicationDisabled', {}));
    expect(mayLeave(INITIAL_LIFECYCLE, 0, false)).toBe(true);
    expect(mayLeave(off, 0, false)).toBe(false);
    expect(mayLeave(lifecycleAfter(off, ENABLE), 1, false)).toBe(true);
  });
});
