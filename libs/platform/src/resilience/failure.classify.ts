/**
 * Whether a failure can go away by itself (a broker or database that is down, a lock, a rebalance)
 * or will happen again every time the same record is processed (a record too large for its topic,
 * a value the database refuses, a bug a particular record triggers). Decided from the error's code,
 * type or name, never from its message text. Pure: no I/O, no framework.
 */
export type FailureClass = 'transient' | 'deterministic';

export interface ClassifiedFailure {
  class: FailureClass;
  /** What identifies the failure: a Kafka error type, an SQLSTATE, a system error code, a name. */
  code: string;
}

/**
 * Kafka answers that are about the records sent, not about the cluster: sending the same records
 * again gets the same answer. Every other Kafka error (connection, leadership, coordinator,
 * rebalance, fencing, timeouts) is about the cluster and passes.
 */
const KAFKA_RECORD_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

/**
 * SQLSTATE classes that describe the server or the session, not the statement: connection (08),
 * insufficient resources (53), operator intervention such as a shutdown or a cancelled query (57),
 * system errors (58), transaction rollback such as a deadlock or a serialization failure (40), and
 * a lock not available (55P03). Every other class (data exceptions 22, integrity 23, syntax 42,
 * program limits 54...) fails the same way again for the same rows.
 */
const PG_TRANSIENT_CLASSES = new Set(['08', '53', '57', '58', '40']);
const PG_TRANSIENT_CODES = new Set(['55P03']);
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Node's system error codes for a peer that is unreachable or went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface ErrorLike {
  name?: unknown;
  retriable?: unknown;
  code?: unknown;
  type?: unknown;
  cause?: unknown;
  driverError?: unknown;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * Classifies one error. Wrappers are looked through: kafkajs's "retries exceeded" carries the last
 * error as `cause`, TypeORM's QueryFailedError the driver's error as `driverError`. Anything not
 * recognised as transient is deterministic: a consumer retries it a bounded number of times, and
 * a consumer that depends on a store also asks the store whether it is up before it believes that
 * (see PoisonGuard), so an unrecognised outage still waits.
 */
export function classifyFailure(error: unknown, depth = 0): ClassifiedFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const name = text(e.name) ?? typeof error;
  const inner = e.driverError ?? e.cause;
  if (inner !== undefined && depth < 5) {
    const wrapped = classifyFailure(inner, depth + 1);
    // A wrapper without a code of its own says no more than what it wraps.
    if (text(e.type) === undefined && !(typeof e.code === 'string' && SQLSTATE.test(e.code))) return wrapped;
  }
  const type = text(e.type);
  if (name.startsWith('KafkaJS')) {
    if (type && KAFKA_RECORD_ERRORS.has(type)) return { class: 'deterministic', code: type };
    return { class: 'transient', code: type ?? name };
  }
  const code = text(e.code);
  if (code && SQLSTATE.test(code) && !code.startsWith('E')) {
    const transient = PG_TRANSIENT_CLASSES.has(code.slice(0, 2)) || PG_TRANSIENT_CODES.has(code);
    return { class: transient ? 'transient' : 'deterministic', code };
  }
  if (code && NETWORK_CODES.has(code)) return { class: 'transient', code };
  // Infrastructure code of this service marks what can go away (a slow state load) the way kafkajs
  // does, so it is never mistaken for a record's fault.
  if ((error as { retriable?: unknown } | null)?.retriable === true)
    return { class: 'transient', code: code ?? name };
  return { class: 'deterministic', code: code ?? name };
}
