import { logHeadersOf } from './topics';
import { encodeEvent, type LogEvent } from './validate';

/** One event-log record as every producer writes it (a Kafka message without a client type). */
export interface LogRecordMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * The event-log record of one event: keyed by communication so a communication's events stay in
 * order, the stored JSON as value, the `LOG_HEADERS` so consumers route without parsing it.
 */
export const logRecordOf = (event: LogEvent): LogRecordMessage => ({
  key: event.communicationId,
  value: encodeEvent(event),
  headers: logHeadersOf(event),
});
