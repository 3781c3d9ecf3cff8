import type { Change, Handler } from './handler.types';
import { appliedAlready, at, callbackOf } from './row.rules';

/** A pending callback is cancelled; while its communication is disabled, the digest counts it. */
export const onCallbackCancelled: Handler<'CallbackCancelled'> = (rows, e, position) => {
  const cb = callbackOf(rows, e, position);
  if (!cb || cb.state !== 'pending') return {};
  const change: Change = {
    callbacks: [
      {
        ...cb,
        ...at(position),
        state: 'cancelled',
        attempts: Math.max(cb.attempts, e.data.attempts),
        nextAttemptAt: null,
        updatedAt: e.occurredAt,
        finishedAt: e.occurredAt,
      },
    ],
  };
  const comm = rows.get('communications', e.communicationId);
  if (comm?.status === 'disabled' && !appliedAlready(comm, position))
    change.communications = [{ ...comm, ...at(position), disabledCancelled: comm.disabledCancelled + 1 }];
  return change;
};
