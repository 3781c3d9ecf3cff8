import type { Handler } from './handler.types';
import { earliest, openCallbacks } from './row.rules';

/** The batch is complete with its message count; the completion callbacks open. */
export const onCommunicationCompleted: Handler<'CommunicationCompleted'> = (rows, e, position) => {
  const prior = rows.get('batches', e.data.batchId);
  return {
    batches: [
      {
        batchId: e.data.batchId,
        communicationId: e.communicationId,
        firstEventAt: prior ? earliest(prior.firstEventAt, e.occurredAt) : e.occurredAt,
        status: 'complete',
        messageCount: e.data.messageCount,
        completedAt: e.occurredAt,
        completedEventId: e.id,
      },
    ],
    ...openCallbacks(rows, e, null, position),
  };
};
