/**
 * Rules every projection handler shares: when an event was applied already, what a new row holds,
 * which callbacks a triggering event opens. Pure.
 */
import { callbackIdOf, LIMITS, type Lifecycle, type LogEvent, type LogEventOf } from '@app/contracts';
import type { LogPosition } from '../projection.rows';
import type { CallbackRow, CommunicationRow } from '../projection.schema';
import type { Change, Rows } from './handler.types';

/** Who the automatic safety rule names as the author of a CommunicationDisabled. */
export const AUTO_DISABLED_BY = 'projector';

/**
 * True when the row already holds the effect of the event at `position` or of a later one on the
 * same partition: the event is being applied again (a chunk re-applied over its own rows), and what
 * it did to the row, or what depended on the row as it was then (callbacks opened, who was
 * emailed), is done. Positions on different partitions are not comparable: a log keyed by
 * communication never has them.
 */
export function appliedAlready(
  row: Pick<CommunicationRow, 'lastLogPartition' | 'lastLogOffset'>,
  position: LogPosition,
): boolean {
  return (
    row.lastLogOffset !== null &&
    row.lastLogPartition === position.partition &&
    BigInt(position.offset) <= BigInt(row.lastLogOffset)
  );
}

/** The position columns of a row changed by the event at `position`. */
export const at = (position: LogPosition) => ({
  lastLogPartition: position.partition,
  lastLogOffset: position.offset,
});

export const NOT_DISABLED = {
  disabledAt: null,
  disabledReason: null,
  disabledBy: null,
  disabledCallbackId: null,
  disabledCauseEventId: null,
  disabledFailed: 0,
  disabledCancelled: 0,
} as const;

/** The communication's row, or the row of a communication nothing is known about yet, as of `at`. */
export const communicationOrNew = (rows: Rows, id: string, at: string): CommunicationRow =>
  rows.get('communications', id) ?? {
    communicationId: id,
    campaignId: null,
    campaignMode: null,
    environment: {},
    callbacks: [],
    notificationList: [],
    configEventId: null,
    configuredAt: null,
    status: 'active',
    ...NOT_DISABLED,
    enabledAt: null,
    enabledBy: null,
    enabledReason: null,
    activeSince: null,
    lastLogPartition: null,
    lastLogOffset: null,
    updatedAt: at,
  };

/** A communication row in the terms of the rule the dispatcher applies too (the epoch is the dispatcher's). */
export const lifecycleOf = (c: CommunicationRow): Lifecycle => ({
  enabled: c.status === 'active',
  epoch: 0,
  activeSince: c.activeSince,
});

/** The fields that name a callback; everything else about it starts empty. */
export type CallbackIdentity = Pick<
  CallbackRow,
  | 'callbackId'
  | 'communicationId'
  | 'callbackConfigId'
  | 'triggerEventId'
  | 'triggerType'
  | 'messageId'
  | 'method'
  | 'url'
>;

/** A callback nobody has attempted yet, as of `at`. */
export const pendingCallback = (
  identity: CallbackIdentity,
  at: string,
  position: LogPosition,
): CallbackRow => ({
  ...identity,
  lastLogPartition: position.partition,
  lastLogOffset: position.offset,
  state: 'pending',
  attempts: 0,
  lastStatusCode: null,
  lastErrorKind: null,
  lastErrorMessage: null,
  nextAttemptAt: null,
  createdAt: at,
  updatedAt: at,
  finishedAt: null,
});

/**
 * Every callback configured for this trigger starts `pending` (only while the communication is
 * active; while it is disabled the dispatcher records each as cancelled). The triggering event is
 * kept whenever a callback is configured for it, so that a resend can repeat it exactly.
 */
export function openCallbacks(
  rows: Rows,
  e: LogEvent,
  messageId: string | null,
  position: LogPosition,
): Pick<Change, 'triggerEvents' | 'callbacks'> {
  const comm = rows.get('communications', e.communicationId);
  const configured = comm?.callbacks.filter((c) => c.event === e.type) ?? [];
  if (configured.length === 0) return {};
  const triggerEvents = [
    { eventId: e.id, communicationId: e.communicationId, payload: e as unknown as Record<string, unknown> },
  ];
  if (!comm || comm.status !== 'active' || appliedAlready(comm, position)) return { triggerEvents };
  const callbacks: CallbackRow[] = [];
  for (const cfg of configured) {
    const callbackId = callbackIdOf(e.id, cfg.id);
    if (rows.get('callbacks', callbackId) || callbacks.some((c) => c.callbackId === callbackId)) continue;
    callbacks.push(
      pendingCallback(
        {
          callbackId,
          communicationId: e.communicationId,
          callbackConfigId: cfg.id,
          triggerEventId: e.id,
          triggerType: e.type,
          messageId,
          method: cfg.method,
          url: null,
        },
        e.occurredAt,
        position,
      ),
    );
  }
  return { triggerEvents, callbacks };
}

/**
 * Removes `user:password@` from a URL template. Templates contain `${...}`, which the URL parser
 * would percent-encode, so this works on the text instead of parsing.
 */
export function withoutUserinfo(template: string): string {
  return template.replace(/^(https?:\/\/)[^/?#@]*@/i, '$1');
}

/** The earlier of two instants, as given (ISO strings with any offset). */
export const earliest = (a: string, b: string) => (Date.parse(b) < Date.parse(a) ? b : a);

export const truncate = (s: string) =>
  s.length > LIMITS.maxTextLength ? `${s.slice(0, LIMITS.maxTextLength - 1)}…` : s;

/**
 * The callback an attempt, failure or cancellation is about: its row, or a new pending one (its
 * triggering event came before the communication was configured); null when this event was
 * already folded into it.
 */
export function callbackOf(
  rows: Rows,
  e: LogEventOf<'CallbackAttempted' | 'CallbackFailed' | 'CallbackCancelled'>,
  position: LogPosition,
): CallbackRow | null {
  const existing = rows.get('callbacks', e.data.callbackId);
  if (existing) return appliedAlready(existing, position) ? null : existing;
  return pendingCallback(
    {
      callbackId: e.data.callbackId,
      communicationId: e.communicationId,
      callbackConfigId: e.data.callbackConfigId,
      triggerEventId: e.data.triggerEventId,
      triggerType: e.data.triggerType,
      messageId: e.data.messageId,
      method: e.data.method,
      url: e.data.url,
    },
    e.occurredAt,
    position,
  );
}
