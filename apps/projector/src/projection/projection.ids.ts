import { createHash } from 'node:crypto';

/** Namespace of every id the projector derives (random, fixed forever: changing it changes ids). */
const NAMESPACE = Buffer.from('6f1d2c3e8b7a4f50a1d94c2e7b3f0a65', 'hex');

/**
 * A name-based UUID (RFC 9562 version 5, SHA-1). The projector derives the ids of the events and
 * emails it creates from the id of the event that caused them, so re-applying the cause after a
 * crash or in a replay produces the same ids and the outbox de-duplicates them.
 */
export function derivedUuid(...parts: string[]): string {
  const hash = createHash('sha1').update(NAMESPACE).update(parts.join('\u0000')).digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
