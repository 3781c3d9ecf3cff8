import type { AttemptResult } from '../delivery/http.sender';
import { parseRetryAfter } from '../delivery/retry-after.parse';
import type { AttemptReport } from './attempt.outcome';
import type { CallbackRef } from './callback.records';
import type { StartedAttempt } from './retry.record';
import { judgeAttempt, type RetryPolicy } from './retry.policy';

/**
 * What an attempt that was made means: its record and the retry policy's verdict. Pure: every
 * time comes from the result (when the request started, how long it took), none from a clock, so
 * the whole lifecycle — this, then `recordAttempt` against the communication's state — is data in,
 * data out.
 */
export function reportOf(
  started: StartedAttempt,
  ref: CallbackRef,
  result: AttemptResult,
  policy: RetryPolicy,
): Extract<AttemptReport, { sent: true }> {
  const finishedAt = new Date(result.startedAt.getTime() + result.durationMs);
  const retryAfterMs = parseRetryAfter(result.retryAfter, finishedAt);
  const verdict = judgeAttempt(policy, {
    attempt: started.attempt,
    statusCode: result.statusCode,
    error: result.error,
    finishedAt,
    retryAfterMs,
    final: started.final,
  });
  return {
    started,
    ref,
    sent: true,
    verdict,
    record: {
      attempt: started.attempt,
      startedAt: result.startedAt,
      durationMs: result.durationMs,
      statusCode: result.statusCode,
      responseSnippet: result.responseSnippet,
      retryAfterMs,
    },
  };
}
