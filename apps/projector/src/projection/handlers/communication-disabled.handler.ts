import type { Handler } from './handler.types';
import { lifecycleAfter } from '@app/contracts';
import { appliedAlready, at, communicationOrNew, lifecycleOf } from './row.rules';

/**
 * An operator's disable, or the projector's own read back from the log (which marks its outbox
 * row published and changes nothing else: the CallbackFailed that caused it disabled already).
 */
export const onCommunicationDisabled: Handler<'CommunicationDisabled'> = (rows, e, position) => {
  const published = [{ eventId: e.id, partition: position.partition, offset: position.offset }];
  const comm = communicationOrNew(rows, e.communicationId, e.occurredAt);
  if (appliedAlready(comm, position)) return { published };
  if (comm.status === 'disabled' && e.data.causeEventId && comm.disabledCauseEventId === e.data.causeEventId)
    return { published };
  // A disable of an active communication starts a new digest; of a disabled one it says who and why.
  const before = lifecycleOf(comm);
  const disables = lifecycleAfter(before, e) !== before;
  return {
    published,
    communications: [
      {
        ...comm,
        status: 'disabled',
        disabledAt: e.occurredAt,
        disabledReason: e.data.reason,
        disabledBy: e.data.by,
        disabledCallbackId: e.data.callbackId,
        disabledCauseEventId: e.data.causeEventId,
        ...(disables && { disabledFailed: 0, disabledCancelled: 0 }),
        ...at(position),
        updatedAt: e.occurredAt,
      },
    ],
  };
};
