/**
 * The projection's domain logic: folds log events into row changes. Pure (no I/O, no clock):
 * the same events over the same prior rows always give the same changes, which is what makes a
 * replay comparable with the live projection. Each event type has its own handler
 * (`handlers/*.handler.ts`, `(rows, event) → change`); this file only routes and folds.
 */
import { callbackIdOf, type LogEvent } from '@app/contracts';
import { onCallbackAttempted } from './handlers/callback-attempted.handler';
import { onCallbackCancelled } from './handlers/callback-cancelled.handler';
import { onCallbackFailed } from './handlers/callback-failed.handler';
import { onCallbackResendRequested } from './handlers/callback-resend-requested.handler';
import { onCommunicationCompleted } from './handlers/communication-completed.handler';
import { onCommunicationConfigured } from './handlers/communication-configured.handler';
import { onCommunicationDisabled } from './handlers/communication-disabled.handler';
import { onCommunicationEnabled } from './handlers/communication-enabled.handler';
import type { Change, EvolveOptions, ReadRows, Rows } from './handlers/handler.types';
import { onMessageEvent } from './handlers/message.handler';
import { onRecoveryRequested } from './handlers/recovery-requested.handler';
import type { LogPosition, PublishedMark } from './projection.rows';
import type {
  AttemptRow,
  BatchMemberRow,
  CommunicationRow,
  DeliveryStatusRow,
  NotificationEmailRow,
  OutboxEventRow,
  TriggerEventRow,
} from './projection.schema';

export type { EvolveOptions } from './handlers/handler.types';
export { AUTO_DISABLED_BY } from './handlers/row.rules';

export interface PositionedEvent {
  event: LogEvent;
  position: LogPosition;
}

/** Prior rows the events of one chunk may read (loaded by key before folding). */
export type ProjectionState = { [K in keyof ReadRows]: Map<string, ReadRows[K]> };

/** Rows to write: mutable tables as full rows (upserted), append-only tables as inserts. */
export interface ProjectionChanges extends ProjectionState {
  batchMembers: Map<string, BatchMemberRow>;
  attempts: AttemptRow[];
  deliveryStatuses: DeliveryStatusRow[];
  outboxEvents: OutboxEventRow[];
  emails: NotificationEmailRow[];
  triggerEvents: TriggerEventRow[];
  published: PublishedMark[];
}

/** The ids of rows a chunk reads, so they can be loaded in one query per table. */
export function keysOf(events: PositionedEvent[], communications?: Map<string, CommunicationRow>) {
  const communicationIds = new Set<string>();
  const messageIds = new Set<string>();
  const batchIds = new Set<string>();
  const callbackIds = new Set<string>();
  const recoveryIds = new Set<string>();
  for (const { event: e } of events) {
    communicationIds.add(e.communicationId);
    if ('messageId' in e.data && e.data.messageId) messageIds.add(e.data.messageId);
    if ('batchId' in e.data) batchIds.add(e.data.batchId);
    if ('callbackId' in e.data && e.data.callbackId) callbackIds.add(e.data.callbackId);
    if ('recoveryId' in e.data && e.data.recoveryId) recoveryIds.add(e.data.recoveryId);
    for (const cfg of communications?.get(e.communicationId)?.callbacks ?? []) {
      if (cfg.event === e.type) callbackIds.add(callbackIdOf(e.id, cfg.id));
    }
  }
  return { communicationIds, messageIds, batchIds, callbackIds, recoveryIds };
}

/** The handler of one event. Every event type has one: a new type does not compile until it has. */
export function handle(rows: Rows, e: LogEvent, position: LogPosition, options: EvolveOptions): Change {
  switch (e.type) {
    case 'CommunicationConfigured':
      return onCommunicationConfigured(rows, e, position, options);
    case 'MessageSent':
    case 'MessageDeliveryProblem':
    case 'MessageDeliveryStatusChanged':
      return onMessageEvent(rows, e, position, options);
    case 'CommunicationCompleted':
      return onCommunicationCompleted(rows, e, position, options);
    case 'CallbackAttempted':
      return onCallbackAttempted(rows, e, position, options);
    case 'CallbackFailed':
      return onCallbackFailed(rows, e, position, options);
    case 'CallbackCancelled':
      return onCallbackCancelled(rows, e, position, options);
    case 'CommunicationDisabled':
      return onCommunicationDisabled(rows, e, position, options);
    case 'CommunicationEnabled':
      return onCommunicationEnabled(rows, e, position, options);
    case 'CallbackResendRequested':
      return onCallbackResendRequested(rows, e, position, options);
    case 'CommunicationRecoveryRequested':
      return onRecoveryRequested(rows, e, position, options);
    default: {
      const unhandled: never = e;
      throw new Error(`no projection for ${(unhandled as LogEvent).type}`);
    }
  }
}

export const emptyChanges = (): ProjectionChanges => ({
  communications: new Map(),
  messages: new Map(),
  batches: new Map(),
  callbacks: new Map(),
  recoveries: new Map(),
  batchMembers: new Map(),
  attempts: [],
  deliveryStatuses: [],
  outboxEvents: [],
  emails: [],
  triggerEvents: [],
  published: [],
});

/** Folds one event's change into the chunk's changes: a later version of a row replaces an earlier one. */
export function mergeChange(changes: ProjectionChanges, change: Change): void {
  for (const r of change.communications ?? []) changes.communications.set(r.communicationId, r);
  for (const r of change.messages ?? []) changes.messages.set(r.messageId, r);
  for (const r of change.batches ?? []) changes.batches.set(r.batchId, r);
  for (const r of change.callbacks ?? []) changes.callbacks.set(r.callbackId, r);
  for (const r of change.recoveries ?? []) changes.recoveries.set(r.recoveryId, r);
  for (const r of change.batchMembers ?? []) changes.batchMembers.set(`${r.batchId}\u0000${r.messageId}`, r);
  if (change.attempts) changes.attempts.push(...change.attempts);
  if (change.deliveryStatuses) changes.deliveryStatuses.push(...change.deliveryStatuses);
  if (change.outboxEvents) changes.outboxEvents.push(...change.outboxEvents);
  if (change.emails) changes.emails.push(...change.emails);
  if (change.triggerEvents) changes.triggerEvents.push(...change.triggerEvents);
  if (change.published) changes.published.push(...change.published);
}

/** Folds a chunk of events over the prior rows; later events of the chunk see earlier ones' rows. */
export function evolve(
  state: ProjectionState,
  events: PositionedEvent[],
  options: EvolveOptions,
): ProjectionChanges {
  const changes = emptyChanges();
  const rows: Rows = {
    get: (table, key) => (changes[table].get(key) ?? state[table].get(key)) as never,
  };
  for (const { event, position } of events) mergeChange(changes, handle(rows, event, position, options));
  return changes;
}
