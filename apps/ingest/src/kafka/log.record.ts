import { encodeEvent, LogEvent, logHeadersOf } from '@app/contracts';
import { Message } from 'kafkajs';

/** One event-log record: keyed by communication so a communication's events stay in order. */
export function logRecordOf(event: LogEvent): Message {
  return { key: event.communicationId, value: encodeEvent(event), headers: logHeadersOf(event) };
}
