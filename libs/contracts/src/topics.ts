/** Default topic names; every one is configurable (see README). */
export const DEFAULT_TOPICS = {
  /** Where Dispatch's producers write. */
  inbound: 'dispatch.events',
  /** Inbound events that failed validation, with the reason in headers. */
  deadLetter: 'dispatch.events.dlq',
  /** The event log: the source of truth. Keyed by communication id. */
  log: 'callbacks.log',
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
