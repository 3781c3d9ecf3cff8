import { logRecordOf, type LogEvent } from '@app/contracts';
import { sendInParts } from '@app/platform';
import type { Producer } from 'kafkajs';

/**
 * Appends events the projector writes (its outbox, operators' requests) to the log, keyed by
 * communication so that each lands in its communication's order; waits for every in-sync replica.
 * Sent in requests the broker accepts however many there are (decision 0609).
 */
export async function appendToLog(producer: Producer, topic: string, events: LogEvent[]): Promise<void> {
  if (events.length === 0) return;
  await sendInParts(producer, [{ topic, messages: events.map(logRecordOf) }]);
}
