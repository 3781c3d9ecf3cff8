import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { Envelope, envelopeHeaderSchema } from './envelope/envelope';
import { inboundTextIssues } from './inbound.text';
import { nestsDeeperThan } from './json.depth';
import { LIMITS } from './limits';
import { CONTRACTS, EventType, InboundData, isEventType, StoredData } from './registry';

/** Why an event was rejected; stable codes, safe to match on (and written to DLQ headers). */
export type RejectionCode =
  | 'oversize'
  | 'malformed-json'
  | 'too-deep'
  | 'invalid-envelope'
  | 'unknown-type'
  | 'unknown-version'
  | 'internal-type'
  | 'invalid-data';

export interface FieldIssue {
  /** Dotted path into the event, e.g. `data.callbacks.0.url`. */
  path: string;
  message: string;
}

export interface Rejection {
  code: RejectionCode;
  message: string;
  issues: FieldIssue[];
}

export type Validated<E> = { ok: true; event: E } | { ok: false; rejection: Rejection };

/** One event on the event log, typed by its `type`. */
export type LogEvent = { [K in EventType]: Envelope<K, StoredData<K>> }[EventType];
export type LogEventOf<K extends EventType> = Extract<LogEvent, { type: K }>;
/** One event as a Dispatch producer sends it. */
export type InboundEvent = { [K in EventType]: Envelope<K, InboundData<K>> }[EventType];

export type Shape = 'inbound' | 'stored';

const reject = (code: RejectionCode, message: string, issues: FieldIssue[] = []) =>
  ({ ok: false, rejection: { code, message, issues } }) as const;

/** Most issues reported, and their longest path and message: a rejection is bounded too. */
const MAX_ISSUES = 50;
const MAX_ISSUE_TEXT = 200;
const bounded = (s: string) => (s.length > MAX_ISSUE_TEXT ? `${s.slice(0, MAX_ISSUE_TEXT - 1)}…` : s);

function issuesOf(error: z.ZodError, prefix: string[] = []): FieldIssue[] {
  return error.issues.slice(0, MAX_ISSUES).map((i) => ({
    path: bounded([...prefix, ...i.path.map(String)].join('.') || '(root)'),
    message: bounded(i.message),
  }));
}

/**
 * Validates an already-parsed value. `inbound` checks what a Dispatch producer may send (only
 * Dispatch's event types, secrets in clear); `stored` checks an event read from the log.
 */
export function validateEvent(value: unknown, shape: 'inbound'): Validated<InboundEvent>;
export function validateEvent(value: unknown, shape: 'stored'): Validated<LogEvent>;
export function validateEvent(value: unknown, shape: Shape): Validated<InboundEvent | LogEvent> {
  if (nestsDeeperThan(value, LIMITS.maxJsonDepth)) {
    return reject('too-deep', `the event nests deeper than ${LIMITS.maxJsonDepth} levels`);
  }
  const head = envelopeHeaderSchema.safeParse(value);
  if (!head.success) return reject('invalid-envelope', 'the envelope is invalid', issuesOf(head.error));
  const { type, version } = head.data;
  if (!isEventType(type))
    return reject('unknown-type', `unknown event type ${JSON.stringify(type)}`, [
      { path: 'type', message: 'unknown event type' },
    ]);
  const contract = CONTRACTS[type];
  if (shape === 'inbound' && contract.origin !== 'dispatch') {
    return reject('internal-type', `"${type}" is produced by this service only`, [
      { path: 'type', message: 'not accepted from producers' },
    ]);
  }
  const schemas = (contract.versions as Record<number, { inbound: z.ZodType; stored: z.ZodType }>)[version];
  if (!schemas) {
    return reject('unknown-version', `unknown version ${version} of "${type}"`, [
      { path: 'version', message: 'unknown schema version' },
    ]);
  }
  const data = schemas[shape].safeParse(head.data.data);
  if (!data.success)
    return reject('invalid-data', `"${type}" v${version} data is invalid`, issuesOf(data.error, ['data']));
  const event = { ...head.data, data: data.data } as InboundEvent | LogEvent;
  if (shape === 'inbound') {
    // What producers send is held to the text rules; what is already on the log stays readable.
    const text = inboundTextIssues(event);
    if (text.length > 0) {
      const issues = text.map((i) => ({ path: bounded(i.path), message: i.message }));
      return reject('invalid-data', `"${type}" v${version} data holds unacceptable text`, issues);
    }
  }
  return { ok: true, event };
}

/** Parses raw bytes (a Kafka value or an HTTP body item) with the size limit applied first. */
export function decodeEvent(bytes: Buffer | null, shape: 'inbound'): Validated<InboundEvent>;
export function decodeEvent(bytes: Buffer | null, shape: 'stored'): Validated<LogEvent>;
export function decodeEvent(bytes: Buffer | null, shape: Shape): Validated<InboundEvent | LogEvent> {
  if (!bytes || bytes.length === 0) return reject('malformed-json', 'empty message');
  if (bytes.length > LIMITS.maxEventBytes) {
    return reject('oversize', `event is ${bytes.length} bytes; the limit is ${LIMITS.maxEventBytes}`);
  }
  // Checked, not silently replaced: a U+FFFD where a producer's byte was would change its data.
  if (!isUtf8(bytes)) return reject('malformed-json', 'not valid UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    // The parser's message quotes the input, which may hold a secret: it is not repeated.
    return reject('malformed-json', 'not valid JSON');
  }
  return shape === 'inbound' ? validateEvent(value, 'inbound') : validateEvent(value, 'stored');
}

/** Serializes an event for the log. */
export const encodeEvent = (event: LogEvent): Buffer => Buffer.from(JSON.stringify(event));

/**
 * An inbound event's `occurredAt` must lie within `windowMs` of the time it is received, either
 * way: a date years off is a producer's bug, and it would sort the history wrongly forever. Only
 * ingest applies it (with its configured window); events already on the log are never re-judged.
 */
export function checkOccurredAt<E extends { occurredAt: string }>(
  event: E,
  receivedAtMs: number,
  windowMs: number,
): Validated<E> {
  const skew = Date.parse(event.occurredAt) - receivedAtMs;
  if (Number.isFinite(skew) && Math.abs(skew) <= windowMs) return { ok: true, event };
  const days = Math.round((windowMs / 86_400_000) * 100) / 100;
  return reject(
    'invalid-envelope',
    `occurredAt is more than ${days} days away from the time it was received`,
    [{ path: 'occurredAt', message: `must be within ±${days} days of the time ingest receives the event` }],
  );
}
