import { LIMITS } from '@app/contracts';

/**
 * The delay a `Retry-After` header value asks for, in milliseconds, relative to when the response
 * arrived (RFC 9110 §10.2.3): either a number of seconds or an HTTP-date. A date in the past is
 * 0; anything unreadable is null (ignored). The result is capped at what an attempt can record.
 */
export function parseRetryAfter(value: string | null | undefined, receivedAt: Date): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (/^\d{1,12}$/.test(text)) return cap(Number(text) * 1000);
  // Only the IMF-fixdate form and its obsolete siblings parse as dates; a bare number was handled.
  if (!/^[A-Za-z]{3},? /.test(text) && !/^[A-Za-z]+day, /.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return cap(Math.max(0, at - receivedAt.getTime()));
}

const cap = (ms: number) => Math.min(ms, LIMITS.maxRecordedRetryAfterMs);
