import type { AttemptResult } from '../delivery/http.sender';
import { recordAttempt } from './attempt.outcome';
import { reportOf } from './attempt.report';
import type { CallbackRef } from './callback.records';
import type { StartedAttempt } from './retry.record';
import { PERMANENT_ERRORS, type RetryPolicy } from './retry.policy';

const policy: RetryPolicy = {
  maxAttempts: 3,
  delayMs: 300_000,
  maxRetryAfterMs: 3_600_000,
  successStatuses: [200],
  permanentErrors: PERMANENT_ERRORS,
};
const started = (attempt: number, epoch = 0): StartedAttempt =>
  ({
    communicationId: 'comm-1',
    callbackId: 'e0000000-0000-4000-8000-000000000002.cb',
    callbackConfigId: 'cb',
    attempt,
    epoch,
    final: false,
    trigger: {} as never,
    config: {} as never,
  }) as StartedAttempt;
const ref = { callbackId: 'e0000000-0000-4000-8000-000000000002.cb' } as CallbackRef;
const at = new Date('2026-11-30T10:00:00.000Z');
const result = (statusCode: number | null, extra: Partial<AttemptResult> = {}): AttemptResult => ({
  startedAt: at,
  durationMs: 250,
  statusCode,
  error: statusCode === null ? { kind: 'timeout', message: 'no answer' } : null,
  responseSnippet: 'ok',
  retryAfter: null,
  ...extra,
});
let n = 0;
const stamp = () => ({ eventId: `e0000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, occurredAt: at });

describe('callback lifecycle: attempt → verdict → record (time passed in with the result)', () => {
  it('given a 200, then the attempt succeeded, recorded with its own times', () => {
    const sut = reportOf(started(1), ref, result(200), policy);
    expect(sut.verdict).toEqual({ outcome: 'succeeded' });
    expect(sut.record).toEqual({
      attempt: 1,
      startedAt: at,
      durationMs: 250,
      statusCode: 200,
      responseSnippet: 'ok',
      retryAfterMs: null,
    });
  });

  it('given a timeout on attempt 1, then it is retried the retry delay after the attempt ended', () => {
    const sut = reportOf(started(1), ref, result(null), policy);
    expect(sut.verdict).toMatchObject({
      outcome: 'retrying',
      nextAttemptAt: new Date(at.getTime() + 250 + 300_000),
    });
  });

  it('given a 503 asking Retry-After 1 h, then the retry is due an hour after the end, and the ask is recorded', () => {
    const sut = reportOf(started(1), ref, result(503, { retryAfter: '3600' }), policy);
    expect(sut.record.retryAfterMs).toBe(3_600_000);
    expect(sut.verdict).toMatchObject({ nextAttemptAt: new Date(at.getTime() + 250 + 3_600_000) });
  });

  it('given the last attempt fails in the same epoch, then the callback fails and names its active period', () => {
    const report = reportOf(started(3), ref, result(500), policy);
    const sut = recordAttempt(report, { enabled: true, epoch: 0, activeSince: null }, stamp);
    expect(sut.outcome).toBe('failed');
    expect(sut.events.map((e) => e.type)).toEqual(['CallbackAttempted', 'CallbackFailed']);
  });

  it('given the communication was disabled while the last attempt ran, then it is cancelled, not failed', () => {
    const report = reportOf(started(3, 0), ref, result(500), policy);
    const sut = recordAttempt(report, { enabled: true, epoch: 1, activeSince: 'x' }, stamp);
    expect(sut.outcome).toBe('cancelled');
    expect(sut.events.map((e) => e.type)).toEqual(['CallbackAttempted', 'CallbackCancelled']);
  });
});
