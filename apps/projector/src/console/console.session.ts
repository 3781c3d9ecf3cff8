import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The console's session: who logged in (the name of the API key they typed, never the key), whether
 * that key may write, the CSRF token of the session and when it ends. It travels in an HttpOnly,
 * SameSite=Strict cookie, signed with HMAC-SHA256 (decision 0721).
 */
export interface ConsoleSession {
  /** The key's name: `read-N` for API_KEYS, the configured name for ADMIN_API_KEYS. */
  keyName: string;
  admin: boolean;
  /** Per-session token every form carries back. */
  csrf: string;
  /** Epoch milliseconds after which the session is refused. */
  expiresAt: number;
}

export const SESSION_COOKIE = 'dc_console';
/** Before login there is no session: the login form's CSRF token lives in a cookie of its own. */
export const LOGIN_COOKIE = 'dc_console_login';
export const SESSION_TTL_MS = 8 * 3600_000;

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const mac = (secret: Buffer, payload: string) => createHmac('sha256', secret).update(payload).digest();

export const newToken = (): string => randomBytes(24).toString('base64url');

export function newSession(keyName: string, admin: boolean, now: number): ConsoleSession {
  return { keyName, admin, csrf: newToken(), expiresAt: now + SESSION_TTL_MS };
}

/** `<payload>.<signature>`, both base64url: safe in a cookie without quoting. */
export function sealSession(session: ConsoleSession, secret: Buffer): string {
  const payload = b64(JSON.stringify(session));
  return `${payload}.${b64(mac(secret, payload))}`;
}

/** The session of a cookie value, or null when it is missing, forged, malformed or expired. */
export function openSession(value: string | undefined, secret: Buffer, now: number): ConsoleSession | null {
  if (!value || value.length > 1024) return null;
  const dot = value.indexOf('.');
  if (dot <= 0) return null;
  const payload = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const s = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<ConsoleSession>;
    if (
      typeof s.keyName !== 'string' ||
      typeof s.admin !== 'boolean' ||
      typeof s.csrf !== 'string' ||
      typeof s.expiresAt !== 'number'
    )
      return null;
    return s.expiresAt > now ? (s as ConsoleSession) : null;
  } catch {
    return null;
  }
}

/** Compares a form's token with the expected one in constant time; a missing token never matches. */
export function sameToken(expected: string | undefined, given: unknown): boolean {
  if (!expected || typeof given !== 'string' || given.length === 0) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The cookies of a `Cookie` header (first value of a name wins; values are not decoded). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

/** A Set-Cookie value scoped to the console; `maxAgeS` 0 deletes it. */
export function cookie(name: string, value: string, opts: { maxAgeS: number; secure: boolean }): string {
  return [
    `${name}=${value}`,
    'Path=/console',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${opts.maxAgeS}`,
    ...(opts.secure ? ['Secure'] : []),
  ].join('; ');
}
