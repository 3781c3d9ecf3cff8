import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** An API key with the name that is recorded when it authorises something. */
export interface NamedKey {
  name: string;
  key: string;
}

/**
 * A set of API keys. Keys are compared as SHA-256 digests in constant time, every key checked
 * (no early exit), so neither a key, its length nor the position of a match leaks through timing.
 */
export class KeyRing {
  private readonly entries: { name: string; digest: Buffer }[];

  constructor(keys: readonly NamedKey[]) {
    this.entries = keys.map((k) => ({ name: k.name, digest: digest(k.key) }));
  }

  /** The name of the matching key, or null. */
  match(key: string | undefined): string | null {
    if (!key) return null;
    const d = digest(key);
    let found: string | null = null;
    for (const e of this.entries) if (timingSafeEqual(e.digest, d) && found === null) found = e.name;
    return found;
  }
}

/** The key a request presents: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function presentedKey(req: Request): string | undefined {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ')
    ? auth.slice(7).trim()
    : (req.headers['x-api-key'] as string | undefined);
}
