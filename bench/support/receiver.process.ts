/**
 * A callback receiver in its own process, so the load it serves never competes with the bench
 * driver's event loop. Started with `fork`; talks to the parent over IPC only:
 *   parent → { op: 'stats', full? } | { op: 'reset' | 'stop' }     child → { op: 'ready', port } | { op: 'stats', ... }
 *
 * Behaviour (argv[2], JSON): `delayMs` before answering; `failFirst` = answer 500 to the first n
 * requests of each idempotency key, 200 after; `retryAfter` = for one key in `every` (see
 * `asksRetryAfter`), fail with 503 and `Retry-After: seconds` instead; `latency` = record now −
 * `sent` (query parameter, ms since the epoch with a fraction); `arrivals` = record arrival times per
 * idempotency key.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ReceiverBehaviour {
  delayMs: number;
  failFirst: number;
  retryAfter?: { every: number; seconds: number };
  latency: boolean;
  arrivals: boolean;
}

/** Whether the callback with this idempotency key is answered with a Retry-After (stable per key). */
export function asksRetryAfter(key: string, every: number): boolean {
  let h = 0;
  for (let i = 0; i < key.length; i += 1) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return h % every === 0;
}

export interface ReceiverStats {
  op: 'stats';
  requests: number;
  ok: number;
  failed: number;
  /** Wall-clock ms of the first and last request (0 when none). */
  firstAt: number;
  lastAt: number;
  latenciesMs: number[];
  arrivals: Record<string, number[]>;
}

/** Wall-clock time in ms with sub-millisecond precision, comparable across processes. */
const nowMs = () => performance.timeOrigin + performance.now();

function main(): void {
  const behaviour = JSON.parse(process.argv[2] ?? '{}') as ReceiverBehaviour;
  let stats = fresh();
  const seen = new Map<string, number>();

  const server = createServer((req, res) => {
    const at = nowMs();
    req.resume();
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      stats.requests += 1;
      if (stats.firstAt === 0) stats.firstAt = at;
      stats.lastAt = at;
      if (behaviour.latency) {
        const sent = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('sent'));
        if (Number.isFinite(sent) && sent > 0) stats.latenciesMs.push(at - sent);
      }
      if (behaviour.arrivals) (stats.arrivals[key] ??= []).push(at);
      let status = 200;
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (behaviour.failFirst > 0) {
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        if (n <= behaviour.failFirst) status = 500;
        const ra = behaviour.retryAfter;
        if (status === 500 && ra && asksRetryAfter(key, ra.every)) {
          status = 503;
          headers['retry-after'] = String(ra.seconds);
        }
      }
      if (status === 200) stats.ok += 1;
      else stats.failed += 1;
      const answer = () => res.writeHead(status, headers).end(status === 200 ? 'ok' : 'no');
      if (behaviour.delayMs > 0) setTimeout(answer, behaviour.delayMs);
      else answer();
    });
  });
  // Longer than any client's idle timeout, so the client decides when a connection closes.
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.send!({ op: 'ready', port: (server.address() as AddressInfo).port });
  });
  process.on('message', (m: { op: string; full?: boolean }) => {
    // Counts are polled often; the (large) recorded lists travel only when asked for.
    if (m.op === 'stats') {
      const lists = m.full ? {} : { latenciesMs: [], arrivals: {} };
      process.send!({ ...stats, ...lists, op: 'stats' } satisfies ReceiverStats);
    }
    if (m.op === 'reset') {
      stats = fresh();
      seen.clear();
    }
    if (m.op === 'stop') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
  // The parent died: do not linger.
  process.on('disconnect', () => process.exit(0));
}

function fresh(): Omit<ReceiverStats, 'op'> {
  return { requests: 0, ok: 0, failed: 0, firstAt: 0, lastAt: 0, latenciesMs: [], arrivals: {} };
}

if (require.main === module) main();
