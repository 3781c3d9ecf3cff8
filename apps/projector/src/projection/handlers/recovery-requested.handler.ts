import { NO_CHANGE, type Handler } from './handler.types';

/** An operator's recovery: recorded once; the recovery worker appends its resends. */
export const onRecoveryRequested: Handler<'CommunicationRecoveryRequested'> = (rows, e) => {
  const d = e.data;
  if (rows.get('recoveries', d.recoveryId)) return NO_CHANGE;
  return {
    recoveries: [
      {
        recoveryId: d.recoveryId,
        communicationId: e.communicationId,
        since: d.since,
        states: [...d.states],
        requestedBy: d.by,
        reason: d.reason,
        adminKey: d.adminKey ?? null,
        requestedAt: e.occurredAt,
        resent: 0,
        lastCreatedAt: null,
        lastCallbackId: null,
      },
    ],
  };
};
