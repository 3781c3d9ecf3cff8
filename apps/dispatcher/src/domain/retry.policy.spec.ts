import { judgeAttempt, PERMANENT_ERRORS, type RetryPolicy } from './retry.policy';

const policy: RetryPolicy = {
  maxAttempts: 3,
  delayMs: 300_000,
  maxRetryAfterMs: 3_600_000,
  successStatuses: [200],
  permanentErrors: PERMANENT_ERRORS,
};
const finishedAt = new Date('2026-01-01T00:00:00Z');

describe('retry policy', () => {
  it('counts exactly the success statuses as success', () => {
    expect(judgeAttempt(policy, { attempt: 1, statusCode: 200, error: null, finishedAt })).toEqual({
      outcome: 'succeeded',
    });
    const sut = judgeAttempt(policy, { attempt: 1, statusCode: 201, error: null, finishedAt });
    expect(sut).toMatchObject({ outcome: 'retrying', error: { kind: 'status' } });
  });

  it('retries a failed attempt after the delay, counted from its end', () => {
    const sut = judgeAttempt(policy, {
      attempt: 2,
      statusCode: null,
      error: { kind: 'timeout', message: 't' },
      finishedAt,
    });
    expect(sut).toEqual({
      outcome: 'retrying',
      error: { kind: 'timeout', message: 't' },
      nextAttemptAt: new Date('2026-01-01T00:05:00Z'),
    });
  });

  it('fails the callback after the last attempt', () => {
    const sut = judgeAttempt(policy, { attempt: 3, statusCode: 500, error: null, finishedAt });
    expect(sut).toMatchObject({ outcome: 'failed', error: { kind: 'status' } });
  });

  it.each(PERMANENT_ERRORS)('does not retry the permanent error %s', (kind) => {
    const sut = judgeAttempt(policy, {
      attempt: 1,
      statusCode: null,
      error: { kind, message: 'x' },
      finishedAt,
    });
    expect(sut.outcome).toBe('failed');
  });

  it('treats a response whose body did not complete as failed even with status 200', () => {
    const sut = judgeAttempt(policy, {
      attempt: 1,
      statusCode: 200,
      error: { kind: 'timeout', message: 'body' },
      finishedAt,
    });
    expect(sut.outcome).toBe('retrying');
  });

  it('records 410 Gone distinctly, and still retries it like any failed attempt', () => {
    const sut = judgeAttempt(policy, { attempt: 1, statusCode: 410, error: null, finishedAt });
    expect(sut).toMatchObject({ outcome: 'retrying', error: { kind: 'gone' } });
    expect(judgeAttempt(policy, { attempt: 3, statusCode: 410, error: null, finishedAt })).toMatchObject({
      outcome: 'failed',
      error: { kind: 'gone' },
    });
  });

  it.each([429, 503])('honours a longer Retry-After on %i, up to the bound', (statusCode) => {
    const at = (retryAfterMs: number) =>
      judgeAttempt(policy, { attempt: 1, statusCode, error: null, finishedAt, retryAfterMs });
    expect(at(600_000)).toMatchObject({ nextAttemptAt: new Date('2026-01-01T00:10:00Z') });
    expect(at(10_000)).toMatchObject({ nextAttemptAt: new Date('2026-01-01T00:05:00Z') });
    expect(at(86_400_000)).toMatchObject({ nextAttemptAt: new Date('2026-01-01T01:00:00Z') });
  });

  it('ignores Retry-After on other statuses', () => {
    const sut = judgeAttempt(policy, {
      attempt: 1,
      statusCode: 500,
      error: null,
      finishedAt,
      retryAfterMs: 600_000,
    });
    expect(sut).toMatchObject({ nextAttemptAt: new Date('2026-01-01T00:05:00Z') });
  });

  it('makes a final attempt (a resend) fail at once instead of retrying', () => {
    const sut = judgeAttempt(policy, { attempt: 1, statusCode: 500, error: null, finishedAt, final: true });
    expect(sut.outcome).toBe('failed');
  });
});
