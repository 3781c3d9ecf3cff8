import { z } from 'zod';
import { Envelope, envelopeHeaderSchema } from './envelope/envelope';
import { LIMITS } from './limits';
import { CONTRACTS, EventType, InboundData, isEventType, StoredData } from './registry';

/** Why an event was rejected; stable codes, safe to match on (and written to DLQ headers). */
export type RejectionCode =
  | 'oversize'
  | 'malformed-json'
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

function issuesOf(error: z.ZodError, prefix: string[] = []): FieldIssue[] {
  return error.issues.slice(0, 50).map((i) => ({
    path: [...prefix, ...i.path.map(String)].join('.') || '(root)',
    message: i.message,
  }));
}

/**
 * Validates an already-parsed value. `inbound` checks what a Dispatch producer may send (only
 * Dispatch's event types, secrets in clear); `stored` checks an event read from the log.
 */
export function validateEvent(value: unknown, shape: 'inbound'): Validated<InboundEvent>;
export function validateEvent(value: unknown, shape: 'stored'): Validated<LogEvent>;
export function validateEvent(value: unknown, shape: Shape): Validated<InboundEvent | LogEvent> {
  const head = envelopeHeaderSchema.safeParse(value);
  if (!head.success) return reject('invalid-envelope', 'the envelope is invalid', issuesOf(head.error));
  const { type, version } = head.data;
  if (!isEventType(type))
    return reject('unknown-type', `unknown event type "${type}"`, [
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
  return { ok: true, event: { ...head.data, data: data.data } as InboundEvent | LogEvent };
}

/** Parses raw bytes (a Kafka value or an HTTP body item) with the size limit applied first. */
export function decodeEvent(bytes: Buffer | null, shape: 'inbound'): Validated<InboundEvent>;
export function decodeEvent(bytes: Buffer | null, shape: 'stored'): Validated<LogEvent>;
export function decodeEvent(bytes: Buffer | null, shape: Shape): Validated<InboundEvent | LogEvent> {
  if (!bytes || bytes.length === 0) return reject('malformed-json', 'empty message');
  if (bytes.length > LIMITS.maxEventBytes) {
    return reject('oversize', `event is ${bytes.length} bytes; the limit is ${LIMITS.maxEventBytes}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    return reject('malformed-json', `not valid JSON: ${(e as Error).message}`.slice(0, 300));
  }
  return shape === 'inbound' ? validateEvent(value, 'inbound') : validateEvent(value, 'stored');
}

/** Serializes an event for the log. */
export const encodeEvent = (event: LogEvent): Buffer => Buffer.from(JSON.stringify(event));
