import { CompressionTypes, type Message, type TopicMessages, type Transaction } from 'kafkajs';

/**
 * Bytes per produce request, half the broker's default record-batch limit (`max.message.bytes`,
 * 1 MiB): kafkajs writes one record batch per partition per request, so a request this size can
 * never be refused as too large, however many records a transaction holds.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** Record overhead in a batch (offsets, lengths, timestamps): a generous estimate. */
const RECORD_OVERHEAD = 64;

const lengthOf = (v: Message['key'] | Message['value']): number =>
  v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;

/** The size a record takes in a produce request: key, value, header names and values. */
export function recordBytes(m: Message): number {
  let bytes = RECORD_OVERHEAD + lengthOf(m.key) + lengthOf(m.value);
  for (const [name, v] of Object.entries(m.headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) bytes += name.length + lengthOf(one as Buffer | string);
  }
  return bytes;
}

/**
 * Splits the records of a transaction into produce requests of at most `maxBytes` (a single
 * larger record gets a request of its own), keeping their order per topic.
 */
export function* inParts(
  topicMessages: TopicMessages[],
  maxBytes = MAX_REQUEST_BYTES,
): Generator<TopicMessages[]> {
  let part: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    for (const m of messages) {
      const size = recordBytes(m);
      if (bytes + size > maxBytes && part.length > 0) {
        yield part;
        part = [];
        bytes = 0;
      }
      let last = part[part.length - 1];
      if (!last || last.topic !== topic) part.push((last = { topic, messages: [] }));
      last.messages.push(m);
      bytes += size;
    }
  }
  if (part.length > 0) yield part;
}

/** Sends every record inside `txn`, in requests the broker accepts (all in the one transaction). */
export async function sendInParts(
  txn: Pick<Transaction, 'sendBatch'>,
  topicMessages: TopicMessages[],
): Promise<void> {
  for (const part of inParts(topicMessages)) {
    await txn.sendBatch({ topicMessages: part, acks: -1, compression: CompressionTypes.None });
  }
}
