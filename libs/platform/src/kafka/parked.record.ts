import { loggableEventId, PARKED_HEADERS, type ParkingConsumer } from '@app/contracts';
import type { Message, Producer } from 'kafkajs';
import type { Failure } from '../resilience/poison.guard';
import { headerString } from './headers';
import { sendOffsetsPatiently } from './kafka.client';
import { quarantineCopy, type OriginalRecord } from './quarantine.copy';
import { inTransaction } from './transaction.scope';

/** A consumed record and where it came from. */
export interface ConsumedRecord extends OriginalRecord {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * The parked copy of a record: the original (bounded, secrets redacted, see quarantineCopy) with
 * PARKED_HEADERS saying which consumer set it aside, why, and where it came from. The event id is
 * taken from the log's `event-id` header, or from the value when it is an event with a UUID id.
 */
export function parkedRecordOf(
  source: ConsumedRecord,
  consumer: ParkingConsumer,
  failure: Failure,
  now: Date,
): Message {
  const eventId = headerString(source.headers, 'event-id') ?? loggableEventId(source.value);
  return quarantineCopy(source, {
    [PARKED_HEADERS.consumer]: consumer,
    [PARKED_HEADERS.code]: failure.code,
    [PARKED_HEADERS.reason]: failure.message,
    [PARKED_HEADERS.attempts]: String(failure.attempts),
    [PARKED_HEADERS.sourceTopic]: source.topic,
    [PARKED_HEADERS.sourcePartition]: String(source.partition),
    [PARKED_HEADERS.sourceOffset]: source.offset,
    ...(eventId && { [PARKED_HEADERS.eventId]: eventId }),
    [PARKED_HEADERS.at]: now.toISOString(),
  });
}

/**
 * Parks one record in ONE transaction with the consumer group's offset past it: the record is set
 * aside exactly once, and never both parked and processed.
 */
export async function parkInTransaction(
  producer: Producer,
  parkedTopic: string,
  record: Message,
  consumed: { groupId: string; topic: string; partition: number; offset: string },
): Promise<void> {
  await inTransaction(producer, async (txn) => {
    await txn.send({ topic: parkedTopic, acks: -1, messages: [record] });
    await sendOffsetsPatiently(txn, {
      consumerGroupId: consumed.groupId,
      topics: [
        {
          topic: consumed.topic,
          partitions: [{ partition: consumed.partition, offset: String(BigInt(consumed.offset) + 1n) }],
        },
      ],
    });
  });
}
