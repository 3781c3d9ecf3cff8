/**
 * The projection's domain logic: folds log events into row changes. Pure (no I/O, no clock):
 * the same events over the same prior rows always give the same changes, which is what makes a
 * replay comparable with the live projection.
 */
import {
  callbackIdOf,
  failureDisables,
  LIMITS,
  type Lifecycle,
  type LogEvent,
  type LogEventOf,
} from '@app/contracts';
import { derivedUuid } from './projection.ids';
import type { LogPosition, PublishedMark } from './projection.rows';
import type {
  AttemptRow,
  BatchMemberRow,
  BatchRow,
  CallbackRow,
  CommunicationRow,
  DeliveryStatusRow,
  MessageRow,
  NotificationEmailRow,
  OutboxEventRow,
  RecoveryRow,
  TriggerEventRow,
} from './projection.schema';

export interface PositionedEvent {
  event: LogEvent;
  position: LogPosition;
}

/** Prior rows the events of one chunk may read (loaded by key before folding). */
export interface ProjectionState {
  communications: Map<string, CommunicationRow>;
  messages: Map<string, MessageRow>;
  batches: Map<string, BatchRow>;
  callbacks: Map<string, CallbackRow>;
  recoveries: Map<string, RecoveryRow>;
}

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

export interface EvolveOptions {
  /** `live` sends mail; `replay` records the emails a live run would send as `suppressed`. */
  mode: 'live' | 'replay';
}

/** Who the automatic safety rule names as the author of a CommunicationDisabled. */
export const AUTO_DISABLED_BY = 'projector';

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

export function evolve(
  state: ProjectionState,
  events: PositionedEvent[],
  options: EvolveOptions,
): ProjectionChanges {
  const changes: ProjectionChanges = {
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
  };
  // Reads see earlier events of the same chunk: changed rows first, then the loaded ones.
  const get = <K extends keyof ProjectionState>(table: K, key: string) =>
    (changes[table].get(key) ?? state[table].get(key)) as ReturnType<ProjectionState[K]['get']>;
  const put = <K extends keyof ProjectionState>(
    table: K,
    key: string,
    row: NonNullable<ReturnType<ProjectionState[K]['get']>>,
  ) => (changes[table] as unknown as Map<string, typeof row>).set(key, row);

  const communication = (id: string, at: string): CommunicationRow =>
    get('communications', id) ?? {
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
      disabledFailed: 0,
      disabledCancelled: 0,
      lastLogPartition: null,
      lastLogOffset: null,
      updatedAt: at,
    };

  /**
   * Every callback configured for this trigger starts `pending` (only while the communication is
   * active; while it is disabled the dispatcher records each as cancelled). The triggering event is
   * kept whenever a callback is configured for it, so that a resend can repeat it exactly.
   */
  const openCallbacks = (e: LogEvent, messageId: string | null, position: LogPosition) => {
    const comm = get('communications', e.communicationId);
    const configured = comm?.callbacks.filter((c) => c.event === e.type) ?? [];
    if (configured.length > 0) {
      changes.triggerEvents.push({
        eventId: e.id,
        communicationId: e.communicationId,
        payload: e as unknown as Record<string, unknown>,
      });
    }
    if (!comm || comm.status !== 'active' || appliedAlready(comm, position)) return;
    for (const cfg of configured) {
      const callbackId = callbackIdOf(e.id, cfg.id);
      if (get('callbacks', callbackId)) continue;
      put(
        'callbacks',
        callbackId,
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
  };

  const onMessage = (
    e: LogEventOf<'MessageSent' | 'MessageDeliveryProblem' | 'MessageDeliveryStatusChanged'>,
    position: LogPosition,
  ) => {
    const d = e.data;
    const prior = get('messages', d.messageId);
    // Latest by event time, not by arrival: a message's events normally share one partition (key =
    // communication id), but rows must not depend on cross-partition interleaving if they do not.
    const newer = !prior || Date.parse(e.occurredAt) >= Date.parse(prior.lastEventAt);
    const row: MessageRow = prior
      ? { ...prior, firstEventAt: earliest(prior.firstEventAt, e.occurredAt) }
      : {
          messageId: d.messageId,
          communicationId: e.communicationId,
          batchId: d.batchId,
          memberAttributes: d.memberAttributes,
          firstEventAt: e.occurredAt,
          lastEventType: e.type,
          lastEventAt: e.occurredAt,
          sentAt: null,
          problem: null,
          deliveryChannel: null,
          deliveryStatus: null,
          deliveryErrorCode: null,
        };
    if (newer)
      Object.assign(row, {
        batchId: d.batchId,
        memberAttributes: d.memberAttributes,
        lastEventType: e.type,
        lastEventAt: e.occurredAt,
      });
    if (e.type === 'MessageSent') row.sentAt = row.sentAt ? earliest(row.sentAt, e.occurredAt) : e.occurredAt;
    if (e.type === 'MessageDeliveryProblem' && newer) row.problem = { ...e.data.problem };
    if (e.type === 'MessageDeliveryStatusChanged') {
      if (newer) {
        row.deliveryChannel = e.data.channel;
        row.deliveryStatus = e.data.status;
        row.deliveryErrorCode = e.data.errorCode;
      }
      changes.deliveryStatuses.push({
        eventId: e.id,
        messageId: d.messageId,
        communicationId: e.communicationId,
        channel: e.data.channel,
        status: e.data.status,
        previousStatus: e.data.previousStatus,
        errorCode: e.data.errorCode,
        twilioSid: e.data.twilioSid ?? null,
        occurredAt: e.occurredAt,
        logPartition: position.partition,
        logOffset: position.offset,
      });
    }
    put('messages', d.messageId, row);
    const batch = get('batches', d.batchId);
    if (batch && Date.parse(e.occurredAt) < Date.parse(batch.firstEventAt)) {
      put('batches', d.batchId, { ...batch, firstEventAt: e.occurredAt });
    } else if (!batch) {
      put('batches', d.batchId, {
        batchId: d.batchId,
        communicationId: e.communicationId,
        status: 'open',
        messageCount: null,
        firstEventAt: e.occurredAt,
        completedAt: null,
        completedEventId: null,
      });
    }
    changes.batchMembers.set(`${d.batchId}\u0000${d.messageId}`, {
      batchId: d.batchId,
      messageId: d.messageId,
      memberAttributes: d.memberAttributes,
    });
    openCallbacks(e, d.messageId, position);
  };

  /** The callback's row, or a new pending one; null when this event was already folded into it. */
  const callbackOf = (
    e: LogEventOf<'CallbackAttempted' | 'CallbackFailed' | 'CallbackCancelled'>,
    position: LogPosition,
  ): CallbackRow | null => {
    const existing = get('callbacks', e.data.callbackId);
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
  };

  for (const { event: e, position } of events) {
    switch (e.type) {
      case 'CommunicationConfigured': {
        const d = e.data;
        const prior = communication(e.communicationId, e.occurredAt);
        if (appliedAlready(prior, position)) break;
        put('communications', e.communicationId, {
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
        });
        break;
      }
      case 'MessageSent':
      case 'MessageDeliveryProblem':
      case 'MessageDeliveryStatusChanged':
        onMessage(e, position);
        break;
      case 'CommunicationCompleted': {
        const prior = get('batches', e.data.batchId);
        put('batches', e.data.batchId, {
          batchId: e.data.batchId,
          communicationId: e.communicationId,
          firstEventAt: prior ? earliest(prior.firstEventAt, e.occurredAt) : e.occurredAt,
          status: 'complete',
          messageCount: e.data.messageCount,
          completedAt: e.occurredAt,
          completedEventId: e.id,
        });
        openCallbacks(e, null, position);
        break;
      }
      case 'CallbackAttempted': {
        const d = e.data;
        changes.attempts.push({
          eventId: e.id,
          callbackId: d.callbackId,
          communicationId: e.communicationId,
          messageId: d.messageId,
          attempt: d.attempt,
          triggerType: d.triggerType,
          method: d.method,
          url: d.url,
          startedAt: d.startedAt,
          durationMs: d.durationMs,
          statusCode: d.statusCode,
          errorKind: d.error?.kind ?? null,
          errorMessage: d.error?.message ?? null,
          responseSnippet: d.responseSnippet,
          outcome: d.outcome,
          nextAttemptAt: d.nextAttemptAt,
          retryAfterMs: d.retryAfterMs ?? null,
          logPartition: position.partition,
          logOffset: position.offset,
        });
        const cb = callbackOf(e, position);
        // An older attempt arriving late (it cannot, on one partition, but be safe) changes nothing.
        if (!cb || d.attempt < cb.attempts || cb.state === 'cancelled') break;
        // `cancelled`: the CallbackCancelled right after it settles the callback.
        const settles = d.outcome === 'succeeded' || d.outcome === 'failed';
        put('callbacks', d.callbackId, {
          ...cb,
          ...at(position),
          method: d.method,
          url: d.url,
          attempts: d.attempt,
          state: d.outcome === 'succeeded' ? 'succeeded' : d.outcome === 'failed' ? 'failed' : 'pending',
          lastStatusCode: d.statusCode,
          lastErrorKind: d.error?.kind ?? null,
          lastErrorMessage: d.error?.message ?? null,
          nextAttemptAt: d.outcome === 'retrying' ? d.nextAttemptAt : null,
          updatedAt: e.occurredAt,
          finishedAt: settles ? e.occurredAt : null,
        });
        break;
      }
      case 'CallbackFailed': {
        const d = e.data;
        const cb = callbackOf(e, position);
        if (cb) {
          put('callbacks', d.callbackId, {
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
          });
        }
        const comm = communication(e.communicationId, e.occurredAt);
        // Its effect on the communication, and the emails to the list in force then, are done.
        if (appliedAlready(comm, position)) break;
        if (!failureDisables(lifecycleOf(comm), d)) {
          // Another failure of the same disable counts in its digest; one from an active period
          // that ended (disabled and re-enabled meanwhile) disables nothing (decision 0623).
          if (comm.status === 'disabled')
            put('communications', e.communicationId, {
              ...comm,
              ...at(position),
              disabledFailed: comm.disabledFailed + 1,
            });
          break;
        }
        const reason = truncate(
          `callback ${d.callbackId} (${d.triggerType}, ${d.method}) failed after ${d.attempts} attempt(s): ${d.reason.kind}: ${d.reason.message}`,
        );
        put('communications', e.communicationId, {
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
        });
        const disabled: LogEventOf<'CommunicationDisabled'> = {
          id: derivedUuid('CommunicationDisabled', e.id),
          type: 'CommunicationDisabled',
          version: 1,
          occurredAt: e.occurredAt,
          communicationId: e.communicationId,
          data: { callbackId: d.callbackId, causeEventId: e.id, reason, by: AUTO_DISABLED_BY },
        };
        changes.outboxEvents.push({
          eventId: disabled.id,
          communicationId: e.communicationId,
          eventType: disabled.type,
          payload: disabled as unknown as Record<string, unknown>,
          causeEventId: e.id,
          createdAt: e.occurredAt,
        });
        // One alert per address per disable (decision 0622); what fails or is cancelled later is
        // counted on the communication and reported by the alert and its follow-ups.
        for (const address of new Set(comm.notificationList.map((a) => a.toLowerCase()))) {
          changes.emails.push({
            emailId: derivedUuid('NotificationEmail', e.id, address),
            communicationId: e.communicationId,
            callbackId: d.callbackId,
            causeEventId: e.id,
            toAddress: address,
            createdAt: e.occurredAt,
            status: options.mode === 'live' ? 'pending' : 'suppressed',
            kind: 'disabled',
            sequence: 0,
          });
        }
        break;
      }
      case 'CallbackCancelled': {
        const cb = callbackOf(e, position);
        if (!cb || cb.state !== 'pending') break;
        put('callbacks', e.data.callbackId, {
          ...cb,
          ...at(position),
          state: 'cancelled',
          attempts: Math.max(cb.attempts, e.data.attempts),
          nextAttemptAt: null,
          updatedAt: e.occurredAt,
          finishedAt: e.occurredAt,
        });
        const comm = get('communications', e.communicationId);
        if (comm?.status === 'disabled' && !appliedAlready(comm, position))
          put('communications', e.communicationId, {
            ...comm,
            ...at(position),
            disabledCancelled: comm.disabledCancelled + 1,
          });
        break;
      }
      case 'CommunicationDisabled': {
        changes.published.push({ eventId: e.id, partition: position.partition, offset: position.offset });
        const comm = communication(e.communicationId, e.occurredAt);
        if (appliedAlready(comm, position)) break;
        // Our own event for a failure already applied when the CallbackFailed was projected.
        if (
          comm.status === 'disabled' &&
          e.data.causeEventId &&
          comm.disabledCauseEventId === e.data.causeEventId
        ) {
          break;
        }
        put('communications', e.communicationId, {
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
        });
        break;
      }
      case 'CommunicationEnabled': {
        const comm = communication(e.communicationId, e.occurredAt);
        if (appliedAlready(comm, position)) break;
        // An enable of an active communication records who and why but starts no new period.
        put('communications', e.communicationId, {
          ...comm,
          status: 'active',
          ...(comm.status === 'disabled' && { ...NOT_DISABLED, activeSince: e.id }),
          enabledAt: e.occurredAt,
          enabledBy: e.data.by,
          enabledReason: e.data.reason,
          ...at(position),
          updatedAt: e.occurredAt,
        });
        break;
      }
      case 'CallbackResendRequested': {
        const d = e.data;
        const cb = get('callbacks', d.callbackId);
        // Applied already (a chunk re-applied over its own rows): the callback and the recovery's
        // count have it.
        if (!cb || appliedAlready(cb, position)) break;
        // The callback is in play again until the resend's attempt is recorded (or cancelled).
        const reopens = cb.state === 'failed' || cb.state === 'cancelled';
        put('callbacks', d.callbackId, {
          ...cb,
          ...at(position),
          ...(reopens && {
            state: 'pending',
            nextAttemptAt: null,
            updatedAt: e.occurredAt,
            finishedAt: null,
          }),
        });
        const recovery = d.recoveryId ? get('recoveries', d.recoveryId) : undefined;
        if (recovery) {
          put('recoveries', recovery.recoveryId, {
            ...recovery,
            resent: recovery.resent + 1,
            lastCreatedAt: cb.createdAt,
            lastCallbackId: cb.callbackId,
          });
        }
        break;
      }
      case 'CommunicationRecoveryRequested': {
        const d = e.data;
        if (get('recoveries', d.recoveryId)) break;
        put('recoveries', d.recoveryId, {
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
        });
        break;
      }
      default: {
        const unhandled: never = e;
        throw new Error(`no projection for ${(unhandled as LogEvent).type}`);
      }
    }
  }
  return changes;
}

/** The fields that name a callback; everything else about it starts empty. */
type CallbackIdentity = Pick<
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
const pendingCallback = (identity: CallbackIdentity, at: string, position: LogPosition): CallbackRow => ({
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

const NOT_DISABLED = {
  disabledAt: null,
  disabledReason: null,
  disabledBy: null,
  disabledCallbackId: null,
  disabledCauseEventId: null,
  disabledFailed: 0,
  disabledCancelled: 0,
} as const;

/**
 * True when the row already holds the effect of the event at `position` or of a later one on the
 * same partition: the event is being applied again (a chunk re-applied over its own rows), and what
 * it did to the row, or what depended on the row as it was then (callbacks opened, who was
 * emailed), is done. Positions on different partitions are not comparable: a log keyed by
 * communication never has them.
 */
function appliedAlready(
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
const at = (position: LogPosition) => ({
  lastLogPartition: position.partition,
  lastLogOffset: position.offset,
});

/** A communication row in the terms of the rule the dispatcher applies too (the epoch is the dispatcher's). */
const lifecycleOf = (c: CommunicationRow): Lifecycle => ({
  enabled: c.status === 'active',
  epoch: 0,
  activeSince: c.activeSince,
});

/**
 * Removes `user:password@` from a URL template. Templates contain `${...}`, which the URL parser
 * would percent-encode, so this works on the text instead of parsing.
 */
export function withoutUserinfo(template: string): string {
  return template.replace(/^(https?:\/\/)[^/?#@]*@/i, '$1');
}

/** The earlier of two instants, as given (ISO strings with any offset). */
const earliest = (a: string, b: string) => (Date.parse(b) < Date.parse(a) ? b : a);

const truncate = (s: string) =>
  s.length > LIMITS.maxTextLength ? `${s.slice(0, LIMITS.maxTextLength - 1)}…` : s;
