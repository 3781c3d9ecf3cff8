import { createHash } from 'node:crypto';
import { COPY_HEADERS } from '@app/contracts';
import type { IHeaders, Message } from 'kafkajs';
import { redactSecretFields } from '../secrets/redact';

/** A record as it was consumed. */
export interface OriginalRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/**
 * Bounds of a quarantined copy. A dead letter or parked record must always be writable (the
 * dead-letter topic accepts 2 MiB; the broker's default is 1 MiB), whatever a producer sent.
 */
export const QUARANTINE_LIMITS = {
  /** Bytes of the value kept: the head of a larger one. More than any valid event. */
  valueBytes: 128 * 1024,
  /** Bytes of the key kept (a communication id is at most 128 characters). */
  keyBytes: 1024,
  /** Total bytes of the original headers kept; above it they are left out (and counted). */
  headersBytes: 16 * 1024,
} as const;

const headerBytes = (headers: IHeaders): number =>
  Object.entries(headers).reduce((n, [k, v]) => n + k.length + sizeOf(v), 0);
const sizeOf = (v: IHeaders[string]): number =>
  v === undefined
    ? 0
    : Array.isArray(v)
      ? v.reduce((n: number, x) => n + sizeOf(x), 0)
      : Buffer.byteLength(v);

/**
 * The copy of a record that goes to a dead-letter or parked topic: the original key, value and
 * headers, with every secret in clear redacted and the value cut to its head when it is too large,
 * plus COPY_HEADERS saying so and `extra` (why and where from). Nothing here can make the copy
 * larger than the limits above plus `extra`.
 */
export function quarantineCopy(original: OriginalRecord, extra: Record<string, string>): Message {
  const copy: Record<string, string> = {};
  let value = original.value;
  if (value !== null) {
    const { bytes, counts } = redactSecretFields(value);
    copy[COPY_HEADERS.originalBytes] = String(value.length);
    copy[COPY_HEADERS.sha256] = createHash('sha256').update(bytes).digest('hex');
    const kinds = Object.entries(counts);
    if (kinds.length > 0) copy[COPY_HEADERS.redacted] = kinds.map(([k, n]) => `${k}:${n}`).join(',');
    value = bytes;
    if (value.length > QUARANTINE_LIMITS.valueBytes) {
      value = value.subarray(0, QUARANTINE_LIMITS.valueBytes);
      copy[COPY_HEADERS.truncated] = 'true';
    }
  }
  let headers: IHeaders = original.headers ?? {};
  if (headerBytes(headers) > QUARANTINE_LIMITS.headersBytes) {
    copy[COPY_HEADERS.headersDropped] = String(Object.keys(headers).length);
    headers = {};
  }
  const key = original.key && original.key.subarray(0, QUARANTINE_LIMITS.keyBytes);
  // Ours last: a producer cannot fake the reason or the position with headers of the same names.
  return { key, value, headers: { ...headers, ...copy, ...extra } };
}
