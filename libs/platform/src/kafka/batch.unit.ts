import { LOG_HEADERS, loggableEventId } from '@app/contracts';
import type { Batch, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { GuardedUnit } from '../resilience/poison.guard';
import { headerString } from './headers';

/** How a record of a batch is named in a log line: position and event id, never content. */
export function describeRecord(
  topic: string,
  partition: number,
  m: Pick<KafkaMessage, 'offset' | 'value'> & { headers?: KafkaMessage['headers'] },
): string {
  const id = headerString(m.headers, LOG_HEADERS.eventId) ?? loggableEventId(m.value);
  return `${topic}[${partition}]@${m.offset}${id ? ` (event ${id})` : ''}`;
}

/** The parts of a PoisonGuard unit that every kafkajs `eachBatch` consumer shares. */
export function batchUnit(
  payload: EachBatchPayload,
): Pick<GuardedUnit<KafkaMessage>, 'records' | 'describe' | 'active' | 'pause'> {
  const { batch } = payload;
  return {
    records: batch.messages,
    describe: (m) => describeRecord(batch.topic, batch.partition, m),
    active: () => payload.isRunning() && !payload.isStale(),
    // Heartbeats after the pause: a rebalance meanwhile throws here, and kafkajs rejoins.
    pause: async (ms) => {
      await new Promise((r) => setTimeout(r, ms));
      await payload.heartbeat();
    },
  };
}

/**
 * The same payload narrowed to some of its batch's messages, for a handler that processes a whole
 * batch: with one message it processes, and commits, that record alone.
 */
export function payloadFor(payload: EachBatchPayload, messages: readonly KafkaMessage[]): EachBatchPayload {
  if (messages.length === payload.batch.messages.length) return payload;
  const batch: Batch = Object.create(payload.batch);
  Object.defineProperties(batch, {
    messages: { value: messages },
    firstOffset: { value: () => messages[0]?.offset ?? null },
    lastOffset: { value: () => messages[messages.length - 1].offset },
    isEmpty: { value: () => messages.length === 0 },
  });
  return { ...payload, batch };
}
