import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedCallback {
  method: string;
  /** The request target exactly as it arrived: path and query, still percent-encoded. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Arrival time (ms since the epoch). */
  at: number;
  /** The status this receiver answered (0 when `takeOver` answered instead). */
  status: number;
}

/** How the receiver answers one request: a status and a short body. */
export type Answer = (request: { method: string; url: string }) => { status: number; body?: string };

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * An application receiving callbacks: a real HTTP server on 127.0.0.1 (port 0) that records every
 * request and answers with `answer` (200 "ok" unless changed). Tests switch the answer at run time
 * to play an application that fails, then recovers.
 */
export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  answer: Answer = () => ({ status: 200, body: 'ok' });
  /** Answers a request in its own way instead of `answer` (a misbehaving receiver); true when it did. */
  takeOver?: (req: IncomingMessage, res: ServerResponse) => boolean;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY_BYTES) chunks.push(c);
      });
      req.on('end', () => {
        const method = req.method ?? '';
        const url = req.url ?? '';
        const tookOver = this.takeOver?.(req, res) ?? false;
        const { status, body } = tookOver ? { status: 0, body: undefined } : this.answer({ method, url });
        this.received.push({
          method,
          url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
          status,
        });
        if (!tookOver) res.writeHead(status, { 'content-type': 'text/plain' }).end(body ?? '');
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(): Promise<CallbackReceiver> {
    const r = new CallbackReceiver();
    await new Promise<void>((resolve, reject) => {
      r.server.once('error', reject);
      r.server.listen(0, '127.0.0.1', resolve);
    });
    return r;
  }

  /** e.g. `http://127.0.0.1:40123` (no trailing slash). */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests carrying this idempotency key (one callback, every attempt), in arrival order. */
  byKey(idempotencyKey: string): ReceivedCallback[] {
    return this.received.filter((r) => r.headers['idempotency-key'] === idempotencyKey);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
