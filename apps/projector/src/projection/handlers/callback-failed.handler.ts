import { failureDisables, type LogEventOf } from '@app/contracts';
import { derivedUuid } from '../projection.ids';
import type { CallbackRow, CommunicationRow, NotificationEmailRow } from '../projection.schema';
import type { Change, Handler } from './handler.types';
import {
  appliedAlready,
  at,
  AUTO_DISABLED_BY,
  callbackOf,
  communicationOrNew,
  lifecycleOf,
  truncate,
} from './row.rules';

/**
 * The callback has failed for good. Whether that disables its communication is the rule both
 * services share (`failureDisables`, decision 0623). A disable writes the CommunicationDisabled to
 * the outbox (the relay appends it to the log) and one alert per address (decision 0622); another
 * failure while disabled only counts in the alert's digest.
 */
export const onCallbackFailed: Handler<'CallbackFailed'> = (rows, e, position, options) => {
  const d = e.data;
  const cb = callbackOf(rows, e, position);
  const callbacks: CallbackRow[] = cb
    ? [
        {
          ...cb,
          ...at(position),
          state: 'failed',
          attempts: Math.max(cb.attempts, d.attempts),
          url: d.url ?? cb.url,
          lastStatusCode: d.lastStatusCode,
          lastErrorKind: d.reason.kind,
          lastErrorMessage: d.reason.message,
          nextAttemptAt: null,
          updatedAt: e.occurredAt,
          finishedAt: cb.finishedAt ?? e.occurredAt,
        },
      ]
    : [];
  const comm = communicationOrNew(rows, e.communicationId, e.occurredAt);
  // Its effect on the communication, and the emails to the list in force then, are done.
  if (appliedAlready(comm, position)) return { callbacks };
  if (!failureDisables(lifecycleOf(comm), d)) {
    // Another failure of the same disable counts in its digest; one from an active period that
    // ended (disabled and re-enabled meanwhile) disables nothing (decision 0623).
    if (comm.status !== 'disabled') return { callbacks };
    return {
      callbacks,
      communications: [{ ...comm, ...at(position), disabledFailed: comm.disabledFailed + 1 }],
    };
  }
  return { callbacks, ...disable(comm, e, position, options.mode) };
};

function disable(
  comm: CommunicationRow,
  e: LogEventOf<'CallbackFailed'>,
  position: Parameters<typeof at>[0],
  mode: 'live' | 'replay',
): Change {
  const d = e.data;
  const reason = truncate(
    `callback ${d.callbackId} (${d.triggerType}, ${d.method}) failed after ${d.attempts} attempt(s): ${d.reason.kind}: ${d.reason.message}`,
  );
  const disabled: LogEventOf<'CommunicationDisabled'> = {
    id: derivedUuid('CommunicationDisabled', e.id),
    type: 'CommunicationDisabled',
    version: 1,
    occurredAt: e.occurredAt,
    communicationId: e.communicationId,
    data: { callbackId: d.callbackId, causeEventId: e.id, reason, by: AUTO_DISABLED_BY },
  };
  // One alert per address per disable (decision 0622); what fails or is cancelled later is
  // counted on the communication and reported by the alert and its follow-ups.
  const emails: NotificationEmailRow[] = [...new Set(comm.notificationList.map((a) => a.toLowerCase()))].map(
    (address) => ({
      emailId: derivedUuid('NotificationEmail', e.id, address),
      communicationId: e.communicationId,
      callbackId: d.callbackId,
      causeEventId: e.id,
      toAddress: address,
      createdAt: e.occurredAt,
      status: mode === 'live' ? 'pending' : 'suppressed',
      kind: 'disabled',
      sequence: 0,
    }),
  );
  return {
    communications: [
      {
        ...comm,
        status: 'disabled',
        disabledAt: e.occurredAt,
        disabledReason: reason,
        disabledBy: AUTO_DISABLED_BY,
        disabledCallbackId: d.callbackId,
        disabledCauseEventId: e.id,
        disabledFailed: 0,
        disabledCancelled: 0,
        ...at(position),
        updatedAt: e.occurredAt,
      },
    ],
    outboxEvents: [
      {
        eventId: disabled.id,
        communicationId: e.communicationId,
        eventType: disabled.type,
        payload: disabled as unknown as Record<string, unknown>,
        causeEventId: e.id,
        createdAt: e.occurredAt,
      },
    ],
    emails,
  };
}
