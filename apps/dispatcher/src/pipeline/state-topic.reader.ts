import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { headerString, LOG_MARKER_HEADER } from '@app/platform';
import type { CommunicationState } from '../domain/communication.state';
import { decodeStateRecord } from '../domain/state.record';

export type PartitionStates = Map<number, Map<string, CommunicationState>>;

/** Empty fetches in a row that mean "caught up" (commit markers are never delivered as records). */
const QUIET_FETCHES = 3;

/**
 * Reads the compacted state topic from its start to its end and keeps the records of the wanted
 * partitions. kafkajs cannot assign partitions by hand, so a throw-away group reads the topic;
 * compaction keeps it at one record per communication, so this does not grow with the log.
 *
 * Records of another log (their marker header names another cluster or topic id) are ignored and
 * counted in `foreign`: their positions are offsets of that log. Records without the header were
 * written before markers existed and are taken as this log's (decision 0643).
 */
export async function readStateTopic(
  kafka: Kafka,
  topic: string,
  partitions: ReadonlySet<number>,
  logMarker: string,
  timeoutMs = 60_000,
): Promise<{ states: PartitionStates; foreign: number }> {
  const result: PartitionStates = new Map([...partitions].map((p) => [p, new Map()]));
  let foreign = 0;
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `dispatcher-state-load-${randomUUID()}`;
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const pending = new Set(
      ends
        .filter((e) => partitions.has(e.partition) && BigInt(e.high) > BigInt(e.low))
        .map((e) => e.partition),
    );
    if (pending.size === 0) return { states: result, foreign };
    const high = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          // Retriable: a slow broker, not a record's fault (see classifyFailure).
          () =>
            reject(
              Object.assign(new Error(`loading ${topic} took more than ${timeoutMs} ms`), {
                retriable: true,
              }),
            ),
          timeoutMs,
        );
        let quiet = 0;
        const check = () => {
          if (pending.size === 0 || quiet >= QUIET_FETCHES) {
            clearTimeout(timer);
            resolve();
          }
        };
        consumer.on(consumer.events.FETCH, () => {
          quiet += 1;
          check();
        });
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              quiet = 0;
              const states = result.get(batch.partition);
              for (const m of batch.messages) {
                if (!states) break;
                const marker = headerString(m.headers, LOG_MARKER_HEADER);
                if (marker !== undefined && marker !== logMarker) {
                  foreign += 1;
                  continue;
                }
                const state = decodeStateRecord(m.value);
                if (state) states.set(state.communicationId, state);
              }
              if (BigInt(batch.lastOffset()) + 1n >= (high.get(batch.partition) ?? 0n))
                pending.delete(batch.partition);
              check();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return { states: result, foreign };
}
