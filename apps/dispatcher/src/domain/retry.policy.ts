import type { AttemptErrorKind } from '@app/contracts';

/** How attempts of one callback are judged and retried. Data, not code, so tests and config set it. */
export interface RetryPolicy {
  /** Attempts before the callback is flagged failed (the reference document says 3). */
  maxAttempts: number;
  /** Delay after a failed attempt before the next one (the reference document says 5 minutes). */
  delayMs: number;
  /**
   * Longest delay a receiver's `Retry-After` can impose (on 429 and 503). A longer request is
   * honoured up to this bound; a shorter one than `delayMs` changes nothing.
   */
  maxRetryAfterMs: number;
  /** HTTP statuses that mean success (the reference document says exactly 200). */
  successStatuses: readonly number[];
  /** Errors that another attempt cannot fix: the callback fails at once. */
  permanentErrors: readonly AttemptErrorKind[];
}

export const PERMANENT_ERRORS: readonly AttemptErrorKind[] = [
  'unresolved-variable',
  'invalid-url',
  'credentials',
];

/** Statuses whose `Retry-After` is honoured (RFC 9110 §10.2.3: 503; RFC 6585 §4: 429). */
export const RETRY_AFTER_STATUSES: readonly number[] = [429, 503];

/** 410 Gone: the receiver says the endpoint no longer exists (decision 0631). */
const GONE = 410;

export interface AttemptFacts {
  /** 1 for the first attempt. */
  attempt: number;
  statusCode: number | null;
  error: { kind: AttemptErrorKind; message: string } | null;
  /** When the attempt ended; the retry delay counts from here. */
  finishedAt: Date;
  /** The delay the response asked for with `Retry-After`, when it did. */
  retryAfterMs?: number | null;
  /** No attempt follows this one whatever happens (a resend is one attempt). */
  final?: boolean;
}

export type AttemptVerdict =
  | { outcome: 'succeeded' }
  | { outcome: 'retrying'; error: { kind: AttemptErrorKind; message: string }; nextAttemptAt: Date }
  | { outcome: 'failed'; error: { kind: AttemptErrorKind; message: string } };

/** Decides what one attempt means: success, another attempt at a time, or the callback failed. */
export function judgeAttempt(policy: RetryPolicy, facts: AttemptFacts): AttemptVerdict {
  const error = errorOf(policy, facts);
  if (!error) return { outcome: 'succeeded' };
  const last = facts.final === true || facts.attempt >= policy.maxAttempts;
  if (last || policy.permanentErrors.includes(error.kind)) return { outcome: 'failed', error };
  return {
    outcome: 'retrying',
    error,
    nextAttemptAt: new Date(facts.finishedAt.getTime() + delayOf(policy, facts)),
  };
}

/** The retry delay, or the receiver's longer `Retry-After` (429/503) within the policy's bound. */
function delayOf(policy: RetryPolicy, facts: AttemptFacts): number {
  const asked = facts.retryAfterMs ?? null;
  if (asked === null || facts.statusCode === null || !RETRY_AFTER_STATUSES.includes(facts.statusCode)) {
    return policy.delayMs;
  }
  return Math.max(policy.delayMs, Math.min(asked, policy.maxRetryAfterMs));
}

function errorOf(
  policy: RetryPolicy,
  facts: AttemptFacts,
): { kind: AttemptErrorKind; message: string } | null {
  if (facts.error) return facts.error;
  if (facts.statusCode !== null && policy.successStatuses.includes(facts.statusCode)) return null;
  if (facts.statusCode === null) return { kind: 'network', message: 'no response and no error reported' };
  if (facts.statusCode === GONE) {
    return { kind: 'gone', message: 'HTTP 410 Gone: the receiver says this endpoint no longer exists' };
  }
  return { kind: 'status', message: `HTTP ${facts.statusCode} is not a success status` };
}
