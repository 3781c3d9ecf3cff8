import { NO_CHANGE, type Handler } from './handler.types';
import { lifecycleAfter } from '@app/contracts';
import { appliedAlready, at, communicationOrNew, lifecycleOf, NOT_DISABLED } from './row.rules';

/**
 * The communication is active again, in a new active period named by this event (decision 0623).
 * An enable of an active communication records who and why but starts no new period.
 */
export const onCommunicationEnabled: Handler<'CommunicationEnabled'> = (rows, e, position) => {
  const comm = communicationOrNew(rows, e.communicationId, e.occurredAt);
  if (appliedAlready(comm, position)) return NO_CHANGE;
  const before = lifecycleOf(comm);
  const after = lifecycleAfter(before, e);
  return {
    communications: [
      {
        ...comm,
        status: 'active',
        ...(after !== before && { ...NOT_DISABLED, activeSince: after.activeSince }),
        enabledAt: e.occurredAt,
        enabledBy: e.data.by,
        enabledReason: e.data.reason,
        ...at(position),
        updatedAt: e.occurredAt,
      },
    ],
  };
};
