import { DLQ_HEADERS, Rejection } from '@app/contracts';
import { IHeaders, Message } from 'kafkajs';

export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/**
 * The dead-letter copy of a rejected input: the ORIGINAL key, value and headers, plus headers that
 * say why and where it came from, so it can be inspected, fixed and re-sent by hand.
 */
export function deadLetterRecordOf(source: SourceRecord, rejection: Rejection, now: Date): Message {
  return {
    key: source.key,
    value: source.value,
    headers: {
      ...source.headers,
      [DLQ_HEADERS.code]: rejection.code,
      [DLQ_HEADERS.reason]: rejection.message,
      [DLQ_HEADERS.issues]: JSON.stringify(rejection.issues),
      [DLQ_HEADERS.sourceTopic]: source.topic,
      [DLQ_HEADERS.sourcePartition]: String(source.partition),
      [DLQ_HEADERS.sourceOffset]: source.offset,
      [DLQ_HEADERS.at]: now.toISOString(),
    },
  };
}
