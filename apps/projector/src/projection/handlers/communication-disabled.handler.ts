import type { Handler } from './handler.types';
import { appliedAlready, at, communicationOrNew } from './row.rules';

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
        ...(comm.status === 'active' && { disabledFailed: 0, disabledCancelled: 0 }),
        ...at(position),
        updatedAt: e.occurredAt,
      },
    ],
  };
};
