import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** The request target exactly as it arrived (path and query, still encoded). */
  rawUrl: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/**
 * A real HTTP receiver on 127.0.0.1 (port 0) that records every request and answers with
 * `handler` (200 "ok" by default). `close` ends its open connections too, so jest exits cleanly.
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  /** Connections accepted, to see keep-alive reuse. */
  connections = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(handler: Handler) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ method: req.method ?? '', rawUrl: req.url ?? '', headers: req.headers, body });
        handler(req, res, body);
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.connections += 1;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(handler: Handler = (_q, res) => res.end('ok')): Promise<Receiver> {
    const r = new Receiver(handler);
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
