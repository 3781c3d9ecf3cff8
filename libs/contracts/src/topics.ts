/** Default topic names; every one is configurable (see README). */
export const DEFAULT_TOPICS = {
  /** Where Dispatch's producers write. */
  inbound: 'dispatch.events',
  /** Inbound events that failed validation, with the reason in headers. */
  deadLetter: 'dispatch.events.dlq',
  /** The event log: the source of truth. Keyed by communication id. */
  log: 'callbacks.log',
  /**
   * Records a consumer could not process after bounded retries (ingest, dispatcher), kept with the
   * reason and where they came from instead of stopping their partition.
   */
  parked: 'callbacks.parked',
} as const;

/** Kafka header names written on dead-lettered records. */
export const DLQ_HEADERS = {
  code: 'x-dlq-code',
  reason: 'x-dlq-reason',
  issues: 'x-dlq-issues',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  at: 'x-dlq-at',
} as const;

/**
 * Headers saying how a quarantined copy (dead letter or parked record) differs from the original:
 * it keeps at most the head of a very large value, and secrets in clear are redacted.
 */
export const COPY_HEADERS = {
  /** Length in bytes of the original value (always set). */
  originalBytes: 'x-original-bytes',
  /** SHA-256 (hex) of the whole value after redaction, so copies can be matched. */
  sha256: 'x-original-sha256',
  /** `true` when only the head of the value is kept. */
  truncated: 'x-original-truncated',
  /** What was redacted, e.g. `password:1,url-userinfo:2`; absent when nothing was. */
  redacted: 'x-redacted',
  /** Number of original headers left out because together they were too large. */
  headersDropped: 'x-original-headers-dropped',
} as const;

/** Every consumer that can park a record; the value of `x-parked-consumer` and of parked rows. */
export const PARKING_CONSUMERS = [
  'ingest',
  'dispatcher-log',
  'dispatcher-retry',
  'projector',
  'outbox-relay',
] as const;
export type ParkingConsumer = (typeof PARKING_CONSUMERS)[number];

/** Kafka headers on a parked record (its value is the original record's value, see COPY_HEADERS). */
export const PARKED_HEADERS = {
  /** Which consumer parked it (PARKING_CONSUMERS: on Kafka `ingest`, `dispatcher-log`, `dispatcher-retry`). */
  consumer: 'x-parked-consumer',
  /** The failure's code (a Kafka error type, an SQLSTATE, an error name) or `undecodable`. */
  code: 'x-parked-code',
  /** What failed, without the record's content. */
  reason: 'x-parked-reason',
  /** How many times the record was tried alone before it was parked. */
  attempts: 'x-parked-attempts',
  sourceTopic: 'x-parked-source-topic',
  sourcePartition: 'x-parked-source-partition',
  sourceOffset: 'x-parked-source-offset',
  /** The event id, when the record is an event with a well-formed id. */
  eventId: 'x-parked-event-id',
  at: 'x-parked-at',
} as const;

/** Kafka headers on every event-log record, so consumers can route without parsing the value. */
export const LOG_HEADERS = {
  eventId: 'event-id',
  type: 'event-type',
  version: 'event-version',
} as const;

/** The `LOG_HEADERS` values of one event, as Kafka header strings. */
export const logHeadersOf = (event: {
  id: string;
  type: string;
  version: number;
}): Record<string, string> => ({
  [LOG_HEADERS.eventId]: event.id,
  [LOG_HEADERS.type]: event.type,
  [LOG_HEADERS.version]: String(event.version),
});
