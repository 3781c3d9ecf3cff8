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
