import type { AttemptErrorKind } from '@app/contracts';

/** How attempts of one callback are judged and retried. Data, not code, so tests and config set it. */
export interface RetryPolicy {
  /** Attempts before the callback is flagged failed (the reference document says 3). */
  maxAttempts: number;
  /** Delay after a failed attempt before the next one (the reference document says 5 minutes). */
  delayMs: number;
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

export interface AttemptFacts {
  /** 1 for the first attempt. */
  attempt: number;
  statusCode: number | null;
  error: { kind: AttemptErrorKind; message: string } | null;
  /** When the attempt ended; the retry delay counts from here. */
  finishedAt: Date;
}

export type AttemptVerdict =
  | { outcome: 'succeeded' }
  | { outcome: 'retrying'; error: { kind: AttemptErrorKind; message: string }; nextAttemptAt: Date }
  | { outcome: 'failed'; error: { kind: AttemptErrorKind; message: string } };

/** Decides what one attempt means: success, another attempt at a time, or the callback failed. */
export function judgeAttempt(policy: RetryPolicy, facts: AttemptFacts): AttemptVerdict {
  const error = errorOf(policy, facts);
  if (!error) return { outcome: 'succeeded' };
  const last = facts.attempt >= policy.maxAttempts;
  if (last || policy.permanentErrors.includes(error.kind)) return { outcome: 'failed', error };
  return { outcome: 'retrying', error, nextAttemptAt: new Date(facts.finishedAt.getTime() + policy.delayMs) };
}

function errorOf(
  policy: RetryPolicy,
  facts: AttemptFacts,
): { kind: AttemptErrorKind; message: string } | null {
  if (facts.error) return facts.error;
  if (facts.statusCode !== null && policy.successStatuses.includes(facts.statusCode)) return null;
  if (facts.statusCode === null) return { kind: 'network', message: 'no response and no error reported' };
  return { kind: 'status', message: `HTTP ${facts.statusCode} is not a success status` };
}
