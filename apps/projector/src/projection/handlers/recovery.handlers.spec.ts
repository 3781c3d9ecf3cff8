import { callbackIdOf, type LogEvent } from '@app/contracts';
import { onCallbackResendRequested } from './callback-resend-requested.handler';
import {
  cancelled,
  configured,
  enabled,
  event,
  failed,
  given,
  LIVE,
  onceAndTwice,
  position,
  sent,
  uuid,
} from './handler.fixture';
import { onRecoveryRequested } from './recovery-requested.handler';

const recovery = (recoveryId: string) =>
  event('CommunicationRecoveryRequested', {
    recoveryId,
    since: '2026-11-03T09:00:00.000Z',
    states: ['failed', 'cancelled'],
    by: 'jane',
    reason: 'fixed',
    adminKey: 'oncall',
  });
const resend = (m: LogEvent, recoveryId: string | null) =>
  event('CallbackResendRequested', {
    callbackId: callbackIdOf(m.id, 'cb'),
    callbackConfigId: 'cb',
    method: 'GET',
    attempt: 4,
    trigger: m as never,
    by: 'jane',
    reason: 'fixed',
    adminKey: 'oncall',
    recoveryId,
  });

describe('projection handlers: recovery and resend', () => {
  it('given nothing, when a recovery is requested, then it is recorded with an empty cursor', () => {
    const id = uuid();
    expect(onRecoveryRequested(given(), recovery(id), position(), LIVE).recoveries).toEqual([
      expect.objectContaining({
        recoveryId: id,
        resent: 0,
        lastCallbackId: null,
        states: ['failed', 'cancelled'],
      }),
    ]);
  });

  it('given a failed callback in a recovery, when its resend is read back, then it is pending again and the cursor moves', () => {
    const [m1, m2] = [sent(), sent()];
    const id = uuid();
    const db = given(configured(), m1, m2, failed(m1), cancelled(m2), enabled(), recovery(id));
    const change = onCallbackResendRequested(db, resend(m1, id), position(), LIVE);
    expect(change.callbacks).toEqual([
      expect.objectContaining({ state: 'pending', attempts: 3, finishedAt: null }),
    ]);
    expect(change.recoveries).toEqual([
      expect.objectContaining({ resent: 1, lastCallbackId: callbackIdOf(m1.id, 'cb') }),
    ]);
  });

  it('applied twice = applied once: a recovery counts each resend once', () => {
    const m = sent();
    const id = uuid();
    const db = given(configured(), m, failed(m), enabled(), recovery(id));
    const { once, twice } = onceAndTwice(db, onCallbackResendRequested, resend(m, id));
    expect(twice).toEqual(once);
    expect(once.recoveries?.[0][1]).toMatchObject({ resent: 1 });
  });

  it('applied twice = applied once: a recovery is recorded once', () => {
    const { once, twice } = onceAndTwice(given(), onRecoveryRequested, recovery(uuid()));
    expect(twice).toEqual(once);
  });
});
