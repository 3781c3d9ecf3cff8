import type { Message, Producer, TopicMessages } from 'kafkajs';
import { LOG_MARKER_HEADER, sendInParts, sendOffsetsPatiently } from '@app/platform';
import { encodeEvent, logHeadersOf, validateEvent, type LogEvent } from '@app/contracts';
import type { CommunicationState } from '../domain/communication-state';
import { encodeRetryRecord, type RetryRecord } from '../domain/retry-record';
import { encodeStateRecord, stateRecordKey } from '../domain/state-record';

export interface TransactionOutput {
  events: LogEvent[];
  retries: RetryRecord[];
  states: CommunicationState[];
  /** Input records set aside (parkedRecordOf), committed with the offset that moves past them. */
  parked?: Message[];
}

export interface ConsumedInput {
  groupId: string;
  topic: string;
  partition: number;
  /** The next offset to consume (last processed + 1). */
  nextOffset: bigint;
}

export interface OutputTopics {
  log: string;
  retry: string;
  state: string;
  parked: string;
}

/**
 * Appends a batch's output and commits the consumed offset in ONE Kafka transaction: either all of
 * it becomes visible (to read_committed consumers) or none of it. Retry and state records go to the
 * input's partition number explicitly, which is what keeps the three topics co-partitioned.
 *
 * Retry and state records carry `logMarker` (the log's cluster id and topic id) in a header: a
 * dispatcher of another log, or of this topic recreated, ignores them (decision 0643).
 */
export async function commitTransaction(
  producer: Producer,
  topics: OutputTopics,
  input: ConsumedInput,
  output: TransactionOutput,
  logMarker: string,
): Promise<void> {
  const headers = { [LOG_MARKER_HEADER]: logMarker };
  for (const e of output.events) {
    const check = validateEvent(e, 'stored');
    // Our own event not matching the contract is a bug: never append it, never retry it silently.
    if (!check.ok)
      throw new Error(`refusing to append an invalid ${e.type}: ${JSON.stringify(check.rejection.issues)}`);
  }
  const topicMessages: TopicMessages[] = [];
  if (output.events.length > 0) {
    topicMessages.push({
      topic: topics.log,
      messages: output.events.map((e) => ({
        key: e.communicationId,
        value: encodeEvent(e),
        headers: logHeadersOf(e),
      })),
    });
  }
  if (output.retries.length > 0) {
    // Sorted by due time: the retry consumer waits on the head of the partition.
    const retries = [...output.retries].sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
    topicMessages.push({
      topic: topics.retry,
      messages: retries.map((r) => ({
        key: r.communicationId,
        partition: input.partition,
        value: encodeRetryRecord(r),
        headers,
      })),
    });
  }
  if (output.states.length > 0) {
    topicMessages.push({
      topic: topics.state,
      messages: output.states.map((s) => ({
        key: stateRecordKey(logMarker, s.communicationId),
        partition: input.partition,
        value: encodeStateRecord(s),
        headers,
      })),
    });
  }
  if (output.parked && output.parked.length > 0) {
    topicMessages.push({ topic: topics.parked, messages: output.parked });
  }
  const txn = await producer.transaction();
  try {
    await sendInParts(txn, topicMessages);
    await sendOffsetsPatiently(txn, {
      consumerGroupId: input.groupId,
      topics: [
        {
          topic: input.topic,
          partitions: [{ partition: input.partition, offset: input.nextOffset.toString() }],
        },
      ],
    });
    await txn.commit();
  } catch (e) {
    await txn.abort().catch(() => undefined);
    throw e;
  }
}
