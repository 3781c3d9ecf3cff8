import type { Message, Producer, TopicMessages } from 'kafkajs';
import { inTransaction, LOG_MARKER_HEADER, sendInParts, sendOffsetsPatiently } from '@app/platform';
import { logRecordOf, type LogEvent } from '@app/contracts';
import type { CommunicationState } from '../domain/communication.state';
import { encodeDoneMarker, encodeRetryRecord, type RetryRecord } from '../domain/retry.record';
import { encodeStateRecord, stateRecordKey } from '../domain/state.record';

export interface TransactionOutput {
  events: LogEvent[];
  retries: RetryRecord[];
  states: CommunicationState[];
  /** Retry records (offsets of the input retry partition) this transaction settles (decision 0620). */
  done?: bigint[];
  /** Input records set aside (parkedRecordOf), committed with the offset that moves past them. */
  parked?: Message[];
}

/** The steps of a transaction, in order; a test hook can fail any of them (decision 0621). */
export type TransactionStep = 'begin' | 'sent' | 'offsets-sent' | 'commit' | 'committed';

/**
 * Test-only fault injection, never set from the environment: called at each step of every
 * transaction; a throw fails the transaction there (at `commit`, instead of committing; at
 * `committed`, after the commit landed, as a lost acknowledgement would).
 */
export type TransactionHook = (
  step: TransactionStep,
  info: { role: 'log' | 'retry'; partition: number; events: LogEvent[] },
) => void | Promise<void>;

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
  hook?: TransactionHook,
): Promise<void> {
  const headers = { [LOG_MARKER_HEADER]: logMarker };
  const role = input.topic === topics.log ? 'log' : 'retry';
  const step = (s: TransactionStep) => hook?.(s, { role, partition: input.partition, events: output.events });
  // The events are our own, typed and bounded by their builders (domain/callback.records.ts, whose
  // contract spec proves they match the contract): validating each again cost about 5 % of the
  // dispatcher's CPU (issue 14). Inbound data is still validated where it is read.
  const topicMessages: TopicMessages[] = [];
  if (output.events.length > 0) {
    topicMessages.push({ topic: topics.log, messages: output.events.map(logRecordOf) });
  }
  const retryMessages: Message[] = output.retries.map((r) => ({
    key: r.communicationId,
    partition: input.partition,
    value: encodeRetryRecord(r),
    headers,
  }));
  // After the records it settles (on the same partition): reading the partition again finds both.
  if (output.done && output.done.length > 0) {
    const value = encodeDoneMarker(output.done);
    retryMessages.push({ key: null, partition: input.partition, value, headers });
  }
  if (retryMessages.length > 0) topicMessages.push({ topic: topics.retry, messages: retryMessages });
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
  await inTransaction(producer, async (txn) => {
    await step('begin');
    await sendInParts(txn, topicMessages);
    await step('sent');
    await sendOffsetsPatiently(txn, {
      consumerGroupId: input.groupId,
      topics: [
        {
          topic: input.topic,
          partitions: [{ partition: input.partition, offset: input.nextOffset.toString() }],
        },
      ],
    });
    await step('offsets-sent');
    await step('commit');
  });
  await step('committed');
}
