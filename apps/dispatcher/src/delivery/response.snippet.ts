import { storableText } from '@app/contracts';

/** What a receiver's echo of a secret is replaced with. */
export const REDACTED = '[redacted]';

/** The secrets of one request, as far as a receiver could echo them back. */
export interface RequestSecrets {
  /** The whole `Authorization` header value (`Basic <token>`). */
  authorization?: string;
  password?: string;
  /** The Standard Webhooks secret, `whsec_<base64>`. */
  signingSecret?: string;
}

/**
 * Every exact string to remove from a response: the Authorization value and its token, the
 * password, the signing secret and its key part. Longest first, so a longer secret is removed
 * whole before a shorter one inside it.
 */
export function secretStrings(s: RequestSecrets): string[] {
  const all = [
    s.authorization,
    s.authorization?.replace(/^Basic /, ''),
    s.password,
    s.signingSecret,
    s.signingSecret?.replace(/^whsec_/, ''),
  ];
  const unique = new Set(all.filter((v): v is string => v !== undefined && v.length > 0));
  return [...unique].sort((a, b) => b.length - a.length);
}

/**
 * How many bytes of a body to read so that a secret cut by the snippet's end can still be found
 * whole: the snippet plus the longest secret.
 */
export const captureBytesFor = (maxBytes: number, secrets: readonly string[]): number =>
  maxBytes + secrets.reduce((n, s) => Math.max(n, Buffer.byteLength(s, 'utf8')), 0);

/**
 * The part of a response body kept in the history: decoded as UTF-8 (an invalid sequence becomes
 * U+FFFD), every echoed secret removed, U+0000 replaced (PostgreSQL stores no NUL), at most
 * `maxBytes` of UTF-8, cut at a character boundary. Whatever the receiver sent, the result is
 * storable in `text`, `jsonb` and JSON, and holds no secret of the request, not even a part of one
 * cut by the end of the snippet.
 *
 * `body` should hold `captureBytesFor(maxBytes, secrets)` bytes when the response was longer, so
 * that a secret starting inside the snippet is seen whole.
 */
export function recordableSnippet(body: Buffer, secrets: readonly string[], maxBytes: number): string {
  const text = body.toString('utf8');
  const end = prefixLength(text, maxBytes);
  const hidden = secretRanges(text, secrets);
  let out = '';
  let at = 0;
  for (const [from, to] of hidden) {
    if (from >= end) break;
    out += text.slice(at, from) + REDACTED;
    at = to;
  }
  if (at < end) out += text.slice(at, end);
  return cutUtf8(storableText(out), maxBytes);
}

/** Where every secret occurs, as sorted, merged [from, to) ranges of `text`. */
function secretRanges(text: string, secrets: readonly string[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const secret of secrets) {
    for (let i = text.indexOf(secret); i >= 0; i = text.indexOf(secret, i + secret.length)) {
      ranges.push([i, i + secret.length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** The number of UTF-16 units of `text` that fit in `maxBytes` of UTF-8, whole characters only. */
function prefixLength(text: string, maxBytes: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i)!;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += code >= 0x10000 ? 2 : 1;
  }
  return i;
}

/** At most `maxBytes` of UTF-8, never ending inside a character. */
function cutUtf8(text: string, maxBytes: number): string {
  return text.slice(0, prefixLength(text, maxBytes));
}
