import { randomBytes } from 'node:crypto';
import { cookie, newSession, openSession, parseCookies, sameToken, sealSession } from './console.session';

describe('the console session cookie', () => {
  const secret = randomBytes(32);
  const now = Date.parse('2026-11-30T10:00:00Z');

  it('opens what it sealed, with the key name, role and CSRF token', () => {
    const sut = newSession('ops', true, now);
    expect(openSession(sealSession(sut, secret), secret, now + 1000)).toEqual(sut);
  });

  it('refuses a session sealed with another secret', () => {
    const sealed = sealSession(newSession('ops', true, now), randomBytes(32));
    expect(openSession(sealed, secret, now)).toBeNull();
  });

  it('refuses a payload changed to claim admin rights', () => {
    const sealed = sealSession(newSession('read-1', false, now), secret);
    const [, sig] = sealed.split('.');
    const forged = Buffer.from(JSON.stringify({ ...newSession('read-1', true, now) })).toString('base64url');
    expect(openSession(`${forged}.${sig}`, secret, now)).toBeNull();
  });

  it('refuses an expired session', () => {
    const s = newSession('ops', false, now);
    expect(openSession(sealSession(s, secret), secret, s.expiresAt)).toBeNull();
  });

  it('refuses garbage without throwing', () => {
    for (const v of [undefined, '', '.', 'abc', 'a.b', `${'x'.repeat(2000)}.y`]) {
      expect(openSession(v, secret, now)).toBeNull();
    }
  });
});

describe('CSRF tokens', () => {
  it('match only the same non-empty token', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken('abc', 'ab')).toBe(false);
    expect(sameToken('abc', undefined)).toBe(false);
    expect(sameToken(undefined, '')).toBe(false);
    expect(sameToken('abc', ['abc'])).toBe(false);
  });
});

describe('cookies', () => {
  it('reads the first value of each name from a Cookie header', () => {
    expect(parseCookies('a=1; b=x.y; a=2; junk')).toEqual({ a: '1', b: 'x.y' });
    expect(parseCookies(undefined)).toEqual({});
  });

  it('are HttpOnly, SameSite=Strict and scoped to the console, Secure when asked', () => {
    expect(cookie('s', 'v', { maxAgeS: 60, secure: true })).toBe(
      's=v; Path=/console; HttpOnly; SameSite=Strict; Max-Age=60; Secure',
    );
    expect(cookie('s', '', { maxAgeS: 0, secure: false })).not.toContain('Secure');
  });
});
