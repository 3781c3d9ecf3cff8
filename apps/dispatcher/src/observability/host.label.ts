/**
 * The `host` label of the per-host attempt counter. Receivers' hosts come from producers' events,
 * so the label set is bounded: the first `limit` hosts seen by this process keep their name, every
 * later one is counted as `other` (a Prometheus series per host is then at most `limit` × outcomes).
 * Only the host name is used: never the path, query or userinfo of a URL.
 */
export class HostLabels {
  private readonly known = new Set<string>();

  constructor(private readonly limit = 100) {}

  of(url: string | null): string {
    let host: string;
    try {
      host = url === null ? '' : new URL(url).hostname.toLowerCase();
    } catch {
      host = '';
    }
    if (!host) return 'unknown';
    if (this.known.has(host)) return host;
    if (this.known.size >= this.limit) return 'other';
    this.known.add(host);
    return host;
  }
}
