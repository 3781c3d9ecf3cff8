import { NO_CHANGE, type Change, type Handler } from './handler.types';
import { appliedAlready, at } from './row.rules';

/**
 * A settled callback is in play again until the resend's attempt is recorded (or cancelled); a
 * resend of a recovery moves the recovery's cursor.
 */
export const onCallbackResendRequested: Handler<'CallbackResendRequested'> = (rows, e, position) => {
  const d = e.data;
  const cb = rows.get('callbacks', d.callbackId);
  // Applied already (a chunk re-applied over its own rows): the callback and the recovery's count have it.
  if (!cb || appliedAlready(cb, position)) return NO_CHANGE;
  const reopens = cb.state === 'failed' || cb.state === 'cancelled';
  const change: Change = {
    callbacks: [
      {
        ...cb,
        ...at(position),
        ...(reopens && { state: 'pending', nextAttemptAt: null, updatedAt: e.occurredAt, finishedAt: null }),
      },
    ],
  };
  const recovery = d.recoveryId ? rows.get('recoveries', d.recoveryId) : undefined;
  if (recovery)
    change.recoveries = [
      {
        ...recovery,
        resent: recovery.resent + 1,
        lastCreatedAt: cb.createdAt,
        lastCallbackId: cb.callbackId,
      },
    ];
  return change;
};
