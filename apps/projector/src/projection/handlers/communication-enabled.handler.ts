import { NO_CHANGE, type Handler } from './handler.types';
import { appliedAlready, at, communicationOrNew, NOT_DISABLED } from './row.rules';

/**
 * The communication is active again, in a new active period named by this event (decision 0623).
 * An enable of an active communication records who and why but starts no new period.
 */
export const onCommunicationEnabled: Handler<'CommunicationEnabled'> = (rows, e, position) => {
  const comm = communicationOrNew(rows, e.communicationId, e.occurredAt);
  if (appliedAlready(comm, position)) return NO_CHANGE;
  return {
    communications: [
      {
        ...comm,
        status: 'active',
        ...(comm.status === 'disabled' && { ...NOT_DISABLED, activeSince: e.id }),
        enabledAt: e.occurredAt,
        enabledBy: e.data.by,
        enabledReason: e.data.reason,
        ...at(position),
        updatedAt: e.occurredAt,
      },
    ],
  };
};
