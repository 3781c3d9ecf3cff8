import { LIMITS } from '@app/contracts';
import { parseRetryAfter } from './retry-after.parse';

const receivedAt = new Date('2026-11-03T09:00:00.000Z');

describe('Retry-After', () => {
  it('reads a number of seconds', () => {
    expect(parseRetryAfter('120', receivedAt)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', receivedAt)).toBe(0);
  });

  it('reads an HTTP-date relative to when the response arrived', () => {
    expect(parseRetryAfter('Tue, 03 Nov 2026 09:10:00 GMT', receivedAt)).toBe(600_000);
  });

  it('treats a date in the past as no wait', () => {
    expect(parseRetryAfter('Tue, 03 Nov 2026 08:00:00 GMT', receivedAt)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const v of [null, undefined, '', 'soon', '-5', '1.5', '2026-11-03T09:10:00Z'])
      expect(parseRetryAfter(v, receivedAt)).toBeNull();
  });

  it('caps what a receiver can ask for at what an attempt can record', () => {
    expect(parseRetryAfter('999999999999', receivedAt)).toBe(LIMITS.maxRecordedRetryAfterMs);
  });
});
