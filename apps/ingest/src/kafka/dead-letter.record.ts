import { DLQ_HEADERS, Rejection } from '@app/contracts';
import { quarantineCopy, type ConsumedRecord } from '@app/platform';
import { Message } from 'kafkajs';

export type SourceRecord = ConsumedRecord;

/**
 * The dead-letter copy of a rejected input: the original key, value and headers, plus headers that
 * say why and where it came from, so it can be inspected, fixed and re-sent by hand. It is always
 * writable and never holds a secret in clear: a huge value keeps its head (with its length and
 * hash), and passwords, signing secrets and URL userinfo are redacted (see quarantineCopy).
 */
export function deadLetterRecordOf(source: SourceRecord, rejection: Rejection, now: Date): Message {
  return quarantineCopy(source, {
    [DLQ_HEADERS.code]: rejection.code,
    [DLQ_HEADERS.reason]: rejection.message,
    [DLQ_HEADERS.issues]: JSON.stringify(rejection.issues),
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: source.offset,
    [DLQ_HEADERS.at]: now.toISOString(),
  });
}
