/** Removes userinfo (`user:pass@`) from a URL; anything unparsable is replaced entirely. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '[unparsable url]';
  }
}

/** What `redactSecretFields` replaces a secret with. */
export const REDACTED_VALUE = '[redacted]';

/** A string value of a field that holds a secret in clear, in JSON text. */
const SECRET_FIELD = /("(?:password|signingSecret)"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
/** `user:password@` right after `http(s)://`, in JSON text or not. */
const URL_USERINFO = /(https?:\/\/)[^\s"'/?#@\\]*@/gi;

export interface Redacted {
  bytes: Buffer;
  /** Per kind (`password`, `signingSecret`, `url-userinfo`), how many were replaced. */
  counts: Record<string, number>;
}

/**
 * Replaces the secrets a producer's event may hold in clear, in its raw bytes: the string value of
 * every `password` and `signingSecret` field, and the userinfo of every http(s) URL. The rest is
 * kept byte for byte, even when the value is not valid JSON or not valid UTF-8 (it is matched as
 * latin1, one character per byte). A field name written with JSON escapes is not recognised.
 */
export function redactSecretFields(bytes: Buffer): Redacted {
  const counts: Record<string, number> = {};
  const count = (kind: string) => (counts[kind] = (counts[kind] ?? 0) + 1);
  const text = bytes.toString('latin1');
  const redacted = text
    .replace(SECRET_FIELD, (_, head: string) => {
      count(head.includes('password') ? 'password' : 'signingSecret');
      return `${head}"${REDACTED_VALUE}"`;
    })
    .replace(URL_USERINFO, (_, scheme: string) => {
      count('url-userinfo');
      return `${scheme}${REDACTED_VALUE}@`;
    });
  return { bytes: redacted === text ? bytes : Buffer.from(redacted, 'latin1'), counts };
}
