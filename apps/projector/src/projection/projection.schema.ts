/**
 * The projector's tables, each defined once: columns (type, null or not, who writes them), key,
 * conflict rule. The row types, the column specs of the bulk writes (`TABLES`) and the read shapes
 * are derived from here; the migrations stay explicit SQL, and a test checks that the migrated
 * schema equals this definition. Adding a column: one line here, one migration.
 */
import { col, defineTable, type RowOf, type StoredRowOf } from './column.types';

export type Json = Record<string, unknown>;

/** A configured callback as the projection keeps it: no credentials, only flags. */
export interface ProjectedCallbackConfig {
  id: string;
  event: string;
  method: 'GET' | 'POST';
  /** The URL template with any userinfo removed. */
  urlTemplate: string;
  hasCredentials: boolean;
  signed: boolean;
}

export const CALLBACK_STATES = ['pending', 'succeeded', 'failed', 'cancelled'] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];

/** Where the last event that changed a row is on the log; see `appliedAlready` in the handlers. */
const lastLogPosition = {
  lastLogPartition: col.integer().orNull(),
  lastLogOffset: col.bigint().orNull(),
};

export const SCHEMA = {
  communications: defineTable({
    table: 'communications',
    columns: {
      communicationId: col.text(),
      campaignId: col.text().orNull(),
      campaignMode: col.text().orNull(),
      environment: col.jsonb<Json>(),
      callbacks: col.jsonb<ProjectedCallbackConfig[]>(),
      notificationList: col.jsonb<string[]>(),
      configEventId: col.uuid().orNull(),
      configuredAt: col.timestamptz().orNull(),
      ...lastLogPosition,
      status: col.oneOf(['active', 'disabled']),
      disabledAt: col.timestamptz().orNull(),
      disabledReason: col.text().orNull(),
      disabledBy: col.text().orNull(),
      disabledCallbackId: col.text().orNull(),
      disabledCauseEventId: col.uuid().orNull(),
      enabledAt: col.timestamptz().orNull(),
      enabledBy: col.text().orNull(),
      enabledReason: col.text().orNull(),
      /** The CommunicationEnabled that began the current active period (null: active from its start). */
      activeSince: col.uuid().orNull(),
      /** Other callbacks that failed since the current disable (the alert's digest). */
      disabledFailed: col.integer(),
      /** Callbacks cancelled since the current disable (the alert's digest). */
      disabledCancelled: col.integer(),
      updatedAt: col.timestamptz(),
    },
    key: ['communicationId'],
    onConflict: 'update',
  }),
  messages: defineTable({
    table: 'messages',
    columns: {
      messageId: col.uuid(),
      communicationId: col.text(),
      batchId: col.text(),
      memberAttributes: col.jsonb<Json>(),
      firstEventAt: col.timestamptz(),
      lastEventType: col.text(),
      lastEventAt: col.timestamptz(),
      sentAt: col.timestamptz().orNull(),
      problem: col.jsonb<Json>().orNull(),
      deliveryChannel: col.text().orNull(),
      deliveryStatus: col.text().orNull(),
      deliveryErrorCode: col.integer().orNull(),
    },
    key: ['messageId'],
    onConflict: 'update',
  }),
  batches: defineTable({
    table: 'batches',
    columns: {
      batchId: col.text(),
      communicationId: col.text(),
      status: col.oneOf(['open', 'complete']),
      messageCount: col.integer().orNull(),
      firstEventAt: col.timestamptz(),
      completedAt: col.timestamptz().orNull(),
      completedEventId: col.uuid().orNull(),
    },
    key: ['batchId'],
    onConflict: 'update',
  }),
  batchMembers: defineTable({
    table: 'batch_members',
    columns: {
      batchId: col.text(),
      messageId: col.uuid(),
      memberAttributes: col.jsonb<Json>(),
    },
    key: ['batchId', 'messageId'],
    onConflict: 'update',
  }),
  callbacks: defineTable({
    table: 'callbacks',
    columns: {
      callbackId: col.text(),
      communicationId: col.text(),
      callbackConfigId: col.text(),
      triggerEventId: col.uuid(),
      triggerType: col.text(),
      messageId: col.uuid().orNull(),
      method: col.text(),
      url: col.text().orNull(),
      state: col.oneOf(CALLBACK_STATES),
      attempts: col.integer(),
      lastStatusCode: col.integer().orNull(),
      lastErrorKind: col.text().orNull(),
      lastErrorMessage: col.text().orNull(),
      nextAttemptAt: col.timestamptz().orNull(),
      createdAt: col.timestamptz(),
      updatedAt: col.timestamptz(),
      finishedAt: col.timestamptz().orNull(),
      ...lastLogPosition,
    },
    key: ['callbackId'],
    onConflict: 'update',
  }),
  attempts: defineTable({
    table: 'attempts',
    columns: {
      eventId: col.uuid(),
      callbackId: col.text(),
      communicationId: col.text(),
      messageId: col.uuid().orNull(),
      attempt: col.integer(),
      triggerType: col.text(),
      method: col.text(),
      url: col.text().orNull(),
      startedAt: col.timestamptz(),
      durationMs: col.integer(),
      statusCode: col.integer().orNull(),
      errorKind: col.text().orNull(),
      errorMessage: col.text().orNull(),
      responseSnippet: col.text().orNull(),
      outcome: col.text(),
      nextAttemptAt: col.timestamptz().orNull(),
      /** What the receiver asked for with Retry-After (429/503), in milliseconds. */
      retryAfterMs: col.integer().orNull(),
      logPartition: col.integer(),
      logOffset: col.bigint(),
    },
    key: ['eventId'],
    onConflict: 'nothing',
  }),
  deliveryStatuses: defineTable({
    table: 'delivery_statuses',
    columns: {
      eventId: col.uuid(),
      messageId: col.uuid(),
      communicationId: col.text(),
      channel: col.text(),
      status: col.text(),
      previousStatus: col.text().orNull(),
      errorCode: col.integer().orNull(),
      twilioSid: col.text().orNull(),
      occurredAt: col.timestamptz(),
      logPartition: col.integer(),
      logOffset: col.bigint(),
    },
    key: ['eventId'],
    onConflict: 'nothing',
  }),
  outboxEvents: defineTable({
    table: 'outbox_events',
    columns: {
      eventId: col.uuid(),
      communicationId: col.text(),
      eventType: col.text(),
      payload: col.jsonb<Json>(),
      causeEventId: col.uuid(),
      createdAt: col.timestamptz(),
      // The relay's: where the event was read back from the log, or why it was set aside.
      publishedPartition: col.integer().orNull().bookkeeping(),
      publishedOffset: col.bigint().orNull().bookkeeping(),
      parkedAt: col.timestamptz().orNull().bookkeeping(),
      parkedReason: col.text().orNull().bookkeeping(),
    },
    key: ['eventId'],
    onConflict: 'nothing',
  }),
  emails: defineTable({
    table: 'notification_emails',
    columns: {
      emailId: col.uuid(),
      communicationId: col.text(),
      callbackId: col.text(),
      /** The CallbackFailed that disabled the communication: one alert (and its follow-ups) per disable. */
      causeEventId: col.uuid(),
      toAddress: col.text(),
      createdAt: col.timestamptz(),
      /** `suppressed` in a replay: an audit rebuild never sends mail; `sent` is set by the mail worker. */
      status: col.oneOf(['pending', 'sent', 'suppressed']),
      /** `disabled`: the alert of the disable itself; `follow-up`: a later digest (mail worker only). */
      kind: col.oneOf(['disabled', 'follow-up']),
      /** 0 for the alert, then 1, 2, … for its follow-ups. */
      sequence: col.integer(),
      // The mail worker's delivery state.
      attempts: col.integer().bookkeeping(),
      nextAttemptAt: col.timestamptz().orNull().bookkeeping(),
      lastError: col.text().orNull().bookkeeping(),
      sentAt: col.timestamptz().orNull().bookkeeping(),
      reportedFailed: col.integer().orNull().bookkeeping(),
      reportedCancelled: col.integer().orNull().bookkeeping(),
    },
    key: ['emailId'],
    onConflict: 'nothing',
  }),
  /** A triggering event kept for resends: the dispatcher repeats exactly what it called back. */
  triggerEvents: defineTable({
    table: 'trigger_events',
    columns: {
      eventId: col.uuid(),
      communicationId: col.text(),
      payload: col.jsonb<Json>(),
    },
    key: ['eventId'],
    onConflict: 'nothing',
  }),
  /** An operator's recovery, and how far its resends have reached the log (a pure cursor). */
  recoveries: defineTable({
    table: 'recoveries',
    columns: {
      recoveryId: col.uuid(),
      communicationId: col.text(),
      since: col.timestamptz(),
      states: col.jsonb<string[]>(),
      requestedBy: col.text(),
      reason: col.text(),
      adminKey: col.text().orNull(),
      requestedAt: col.timestamptz(),
      /** Resends of this recovery read back from the log. */
      resent: col.integer(),
      /** The (created_at, callback_id) of the last callback resent, in recovery order. */
      lastCreatedAt: col.timestamptz().orNull(),
      lastCallbackId: col.text().orNull(),
      // The recovery worker's: how far it has appended resends, and when it was done.
      sentCreatedAt: col.timestamptz().orNull().bookkeeping(),
      sentCallbackId: col.text().orNull().bookkeeping(),
      /** When the worker had nothing left to resend (or stopped: the communication was disabled again). */
      finishedAt: col.timestamptz().orNull().bookkeeping(),
    },
    key: ['recoveryId'],
    onConflict: 'update',
  }),
  /** A record a consumer of the projector set aside instead of stopping on it (decision 0602). */
  parked: defineTable({
    table: 'parked_records',
    columns: {
      /** UUID v5 of where the record came from, so parking the same record twice writes one row. */
      parkedId: col.uuid(),
      consumer: col.oneOf(['projector', 'outbox-relay']),
      sourceTopic: col.text().orNull(),
      sourcePartition: col.integer().orNull(),
      sourceOffset: col.bigint().orNull(),
      eventId: col.uuid().orNull(),
      eventType: col.text().orNull(),
      communicationId: col.text().orNull(),
      /** A rejection code, an SQLSTATE, an error name. */
      code: col.text(),
      failureClass: col.text<'deterministic' | 'transient'>(),
      reason: col.text(),
      /** Tries of the record on its own before it was parked (0: it could not even be decoded). */
      attempts: col.integer(),
      parkedAt: col.timestamptz().bookkeeping(),
    },
    key: ['parkedId'],
    onConflict: 'nothing',
  }),
  /** How far the projection has applied each partition of a log (written with each chunk). */
  checkpoints: defineTable({
    table: 'checkpoints',
    columns: {
      topic: col.text().bookkeeping(),
      partition: col.integer().bookkeeping(),
      nextOffset: col.bigint().bookkeeping(),
      eventsApplied: col.bigint().bookkeeping(),
      eventsSkipped: col.bigint().bookkeeping(),
      updatedAt: col.timestamptz().bookkeeping(),
      clusterId: col.text().orNull().bookkeeping(),
      topicId: col.text().orNull().bookkeeping(),
    },
    key: ['topic', 'partition'],
    onConflict: 'update',
  }),
};

export type CommunicationRow = RowOf<typeof SCHEMA.communications>;
export type MessageRow = RowOf<typeof SCHEMA.messages>;
export type BatchRow = RowOf<typeof SCHEMA.batches>;
export type BatchMemberRow = RowOf<typeof SCHEMA.batchMembers>;
export type CallbackRow = RowOf<typeof SCHEMA.callbacks>;
export type AttemptRow = RowOf<typeof SCHEMA.attempts>;
export type DeliveryStatusRow = RowOf<typeof SCHEMA.deliveryStatuses>;
export type OutboxEventRow = RowOf<typeof SCHEMA.outboxEvents>;
export type NotificationEmailRow = RowOf<typeof SCHEMA.emails>;
export type TriggerEventRow = RowOf<typeof SCHEMA.triggerEvents>;
export type RecoveryRow = RowOf<typeof SCHEMA.recoveries>;
/** A recovery with its worker's columns (how far it has appended, when it finished). */
export type StoredRecoveryRow = StoredRowOf<typeof SCHEMA.recoveries>;
export type ParkedRow = RowOf<typeof SCHEMA.parked>;
