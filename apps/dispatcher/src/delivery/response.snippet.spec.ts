import fc from 'fast-check';
import { captureBytesFor, recordableSnippet, REDACTED, secretStrings } from './response.snippet';

const AUTH = `Basic ${Buffer.from('app:s3cret-pass').toString('base64')}`;
const SECRETS = secretStrings({
  authorization: AUTH,
  password: 's3cret-pass',
  signingSecret: 'whsec_c2lnbmluZy1rZXk=',
});

/** What PostgreSQL text/jsonb and a UTF-8 encoder cannot take. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what must not get through
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('response snippet', () => {
  it('lists every secret of a request, longest first, the Authorization value and its token included', () => {
    expect([...SECRETS].sort()).toEqual(
      [AUTH, AUTH.slice('Basic '.length), 'whsec_c2lnbmluZy1rZXk=', 'c2lnbmluZy1rZXk=', 's3cret-pass'].sort(),
    );
    expect(SECRETS.map((s) => s.length)).toEqual([...SECRETS.map((s) => s.length)].sort((a, b) => b - a));
    expect(secretStrings({})).toEqual([]);
  });

  it('keeps an ordinary body as it is', () => {
    expect(recordableSnippet(Buffer.from('{"ok":true} ü'), SECRETS, 4096)).toBe('{"ok":true} ü');
  });

  it('removes every echoed secret exactly', () => {
    const body = `you sent ${AUTH} with password s3cret-pass and key whsec_c2lnbmluZy1rZXk=`;
    expect(recordableSnippet(Buffer.from(body), SECRETS, 4096)).toBe(
      `you sent ${REDACTED} with password ${REDACTED} and key ${REDACTED}`,
    );
  });

  it('removes a secret cut by the end of the snippet, when the capture holds it whole', () => {
    const body = Buffer.from(`${'x'.repeat(95)}s3cret-pass and more`);
    expect(captureBytesFor(100, SECRETS)).toBeGreaterThanOrEqual(100 + Buffer.byteLength(AUTH));
    expect(recordableSnippet(body, SECRETS, 100)).toBe(`${'x'.repeat(95)}${REDACTED}`.slice(0, 100));
    expect(recordableSnippet(body, SECRETS, 100)).not.toContain('s3cr');
  });

  it('makes NUL bytes and invalid UTF-8 storable, and never cuts a character in two', () => {
    const body = Buffer.concat([Buffer.from('a\u0000b'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('€€')]);
    const sut = recordableSnippet(body, [], 10);
    // 1 + 3 + 1 + 3 + 1 bytes: the next U+FFFD (3 bytes) would pass the limit.
    expect(sut).toBe('a\ufffdb\ufffd(');
    expect(Buffer.byteLength(sut)).toBeLessThanOrEqual(10);
  });

  it('property: whatever the receiver sends, the snippet is storable, bounded and holds no secret', () => {
    const secret = fc.constantFrom(...SECRETS);
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      fc.string({ unit: 'binary', maxLength: 32 }).map((s) => Buffer.from(s, 'utf8')),
      secret.map((s) => Buffer.from(s)),
      fc.constant(Buffer.from([0])),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.integer({ min: 0, max: 600 }), (pieces, max) => {
        const body = Buffer.concat(pieces).subarray(0, captureBytesFor(max, SECRETS));
        const sut = recordableSnippet(body, SECRETS, max);
        expect(Buffer.byteLength(sut)).toBeLessThanOrEqual(max);
        expect(sut).not.toMatch(UNSTORABLE);
        for (const s of SECRETS) expect(sut).not.toContain(s);
        expect(JSON.parse(JSON.stringify(sut))).toBe(sut);
      }),
      { numRuns: 1_000 },
    );
  });
});
