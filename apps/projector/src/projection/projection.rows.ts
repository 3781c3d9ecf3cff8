/**
 * Row shapes of the projection as plain data (no ORM). Times are ISO strings taken from events, so
 * rows are a pure function of the log. Names map 1:1 to snake_case columns (see projection.tables.ts).
 */
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

export type Json = Record<string, unknown>;

/** Where an event sits on the log. */
export interface LogPosition {
  partition: number;
  offset: string;
  /** Kafka record timestamp (ms since epoch, as a string). */
  timestamp: string;
}

export interface CommunicationRow {
  communicationId: string;
  campaignId: string | null;
  campaignMode: string | null;
  environment: Json;
  callbacks: ProjectedCallbackConfig[];
  notificationList: string[];
  configEventId: string | null;
  configuredAt: string | null;
  /**
   * Where the last event that changed this row is on the log. An event at or before it was already
   * folded in: applying it again (a chunk re-applied over its own rows) must change nothing.
   */
  lastLogPartition: number | null;
  lastLogOffset: string | null;
  status: 'active' | 'disabled';
  disabledAt: string | null;
  disabledReason: string | null;
  disabledBy: string | null;
  disabledCallbackId: string | null;
  disabledCauseEventId: string | null;
  enabledAt: string | null;
  enabledBy: string | null;
  enabledReason: string | null;
  /** The CommunicationEnabled that began the current active period (null: active from its start). */
  activeSince: string | null;
  /** Other callbacks that failed since the current disable (the alert's digest). */
  disabledFailed: number;
  /** Callbacks cancelled since the current disable (the alert's digest). */
  disabledCancelled: number;
  updatedAt: string;
}

export interface MessageRow {
  messageId: string;
  communicationId: string;
  batchId: string;
  memberAttributes: Json;
  firstEventAt: string;
  lastEventType: string;
  lastEventAt: string;
  sentAt: string | null;
  problem: Json | null;
  deliveryChannel: string | null;
  deliveryStatus: string | null;
  deliveryErrorCode: number | null;
}

export interface BatchRow {
  batchId: string;
  communicationId: string;
  status: 'open' | 'complete';
  messageCount: number | null;
  firstEventAt: string;
  completedAt: string | null;
  completedEventId: string | null;
}

export interface BatchMemberRow {
  batchId: string;
  messageId: string;
  memberAttributes: Json;
}

export type CallbackState = 'pending' | 'succeeded' | 'failed' | 'cancelled';

export interface CallbackRow {
  callbackId: string;
  communicationId: string;
  callbackConfigId: string;
  triggerEventId: string;
  triggerType: string;
  messageId: string | null;
  method: string;
  url: string | null;
  state: CallbackState;
  attempts: number;
  lastStatusCode: number | null;
  lastErrorKind: string | null;
  lastErrorMessage: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** Where the last event that changed this row is on the log (see CommunicationRow). */
  lastLogPartition: number | null;
  lastLogOffset: string | null;
}

export interface AttemptRow {
  eventId: string;
  callbackId: string;
  communicationId: string;
  messageId: string | null;
  attempt: number;
  triggerType: string;
  method: string;
  url: string | null;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  errorKind: string | null;
  errorMessage: string | null;
  responseSnippet: string | null;
  outcome: string;
  nextAttemptAt: string | null;
  /** What the receiver asked for with Retry-After (429/503), in milliseconds. */
  retryAfterMs: number | null;
  logPartition: number;
  logOffset: string;
}

export interface DeliveryStatusRow {
  eventId: string;
  messageId: string;
  communicationId: string;
  channel: string;
  status: string;
  previousStatus: string | null;
  errorCode: number | null;
  twilioSid: string | null;
  occurredAt: string;
  logPartition: number;
  logOffset: string;
}

export interface OutboxEventRow {
  eventId: string;
  communicationId: string;
  eventType: string;
  payload: Json;
  causeEventId: string;
  createdAt: string;
}

export interface NotificationEmailRow {
  emailId: string;
  communicationId: string;
  callbackId: string;
  /** The CallbackFailed that disabled the communication: one alert (and its follow-ups) per disable. */
  causeEventId: string;
  toAddress: string;
  createdAt: string;
  /** `suppressed` in a replay: an audit rebuild never sends mail. */
  status: 'pending' | 'suppressed';
  /** `disabled`: the alert of the disable itself; `follow-up`: a later digest (mail worker only). */
  kind: 'disabled' | 'follow-up';
  /** 0 for the alert, then 1, 2, … for its follow-ups. */
  sequence: number;
}

/** A triggering event kept for resends: the dispatcher repeats exactly what it called back. */
export interface TriggerEventRow {
  eventId: string;
  communicationId: string;
  payload: Json;
}

/** An operator's recovery, and how far its resends have reached the log (a pure cursor). */
export interface RecoveryRow {
  recoveryId: string;
  communicationId: string;
  since: string;
  states: string[];
  requestedBy: string;
  reason: string;
  adminKey: string | null;
  requestedAt: string;
  /** Resends of this recovery read back from the log. */
  resent: number;
  /** The (created_at, callback_id) of the last callback resent, in recovery order. */
  lastCreatedAt: string | null;
  lastCallbackId: string | null;
}

/** An outbox event seen on the log: the relay's work for it is done. */
export interface PublishedMark {
  eventId: string;
  partition: number;
  offset: string;
}

/** A record a consumer of the projector set aside instead of stopping on it (decision 0602). */
export interface ParkedRow {
  /** UUID v5 of where the record came from, so parking the same record twice writes one row. */
  parkedId: string;
  consumer: 'projector' | 'outbox-relay';
  sourceTopic: string | null;
  sourcePartition: number | null;
  sourceOffset: string | null;
  eventId: string | null;
  eventType: string | null;
  communicationId: string | null;
  /** A rejection code, an SQLSTATE, an error name. */
  code: string;
  failureClass: 'deterministic' | 'transient';
  reason: string;
  /** Tries of the record on its own before it was parked (0: it could not even be decoded). */
  attempts: number;
}
