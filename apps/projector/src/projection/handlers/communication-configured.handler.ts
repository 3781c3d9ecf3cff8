import { NO_CHANGE, type Handler } from './handler.types';
import { appliedAlready, at, communicationOrNew, withoutUserinfo } from './row.rules';

/** The communication's configuration as the projection keeps it: no credentials, only flags. */
export const onCommunicationConfigured: Handler<'CommunicationConfigured'> = (rows, e, position) => {
  const d = e.data;
  const prior = communicationOrNew(rows, e.communicationId, e.occurredAt);
  if (appliedAlready(prior, position)) return NO_CHANGE;
  return {
    communications: [
      {
        ...prior,
        campaignId: d.campaignId,
        campaignMode: d.campaignMode,
        environment: d.environment,
        callbacks: d.callbacks.map((c) => ({
          id: c.id,
          event: c.event,
          method: c.method,
          urlTemplate: withoutUserinfo(c.url),
          hasCredentials: c.credentials !== undefined,
          signed: c.signingSecret !== undefined,
        })),
        notificationList: [...d.notificationList],
        configEventId: e.id,
        configuredAt: e.occurredAt,
        ...at(position),
        updatedAt: e.occurredAt,
      },
    ],
  };
};
