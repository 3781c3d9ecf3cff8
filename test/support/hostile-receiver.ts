import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** The ways a third-party receiver can misbehave (issue: nothing a receiver answers stops the pipeline). */
export const MISBEHAVIOURS = {
  /** 200 with NUL bytes in the body. */
  nul: (res: ServerResponse) => res.writeHead(200).end(Buffer.from('ok\u0000\u0000 and more \u0000')),
  /** 200 with bytes that are not UTF-8, including an encoded lone surrogate (ED A0 80). */
  'invalid-utf8': (res: ServerResponse) =>
    res.writeHead(200).end(Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x21])),
  /** 200 with a JSON-escaped lone surrogate and NUL, as text. */
  'escaped-surrogate': (res: ServerResponse) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"v":"\\ud800","n":"\\u0000"}'),
  /** 200 with ten megabytes of body. */
  huge: (res: ServerResponse) => res.writeHead(200).end(TEN_MB),
  /** 200 and a body that never ends (one byte every 100 ms). */
  endless: (res: ServerResponse, req: IncomingMessage) => {
    res.writeHead(200);
    const timer = setInterval(() => res.write('x'), 100);
    req.socket.once('close', () => clearInterval(timer));
  },
  /** A response whose headers are 64 KB. */
  'huge-headers': (res: ServerResponse) =>
    res.writeHead(200, { 'x-padding': 'p'.repeat(64 * 1024) }).end('ok'),
  /** Headers and part of the body, then the connection is reset. */
  'reset-mid-body': (res: ServerResponse, req: IncomingMessage) => {
    res.writeHead(200, { 'content-length': '1000' });
    res.write('partial body');
    setTimeout(() => req.socket.resetAndDestroy(), 50);
  },
  /** 200 echoing the request's Authorization header and, as if it knew them, the secrets. */
  echo: (res: ServerResponse, req: IncomingMessage, secrets: string[]) =>
    res.writeHead(200).end(`auth=${req.headers.authorization} ${secrets.map((s) => `got ${s};`).join(' ')}`),
} satisfies Record<string, (res: ServerResponse, req: IncomingMessage, secrets: string[]) => void>;

export type Misbehaviour = keyof typeof MISBEHAVIOURS;
const TEN_MB = Buffer.alloc(10 * 1024 * 1024, 'z');

export interface Hit {
  path: string;
  idempotencyKey: string;
  authorization?: string;
}

/**
 * A receiver on 127.0.0.1 that misbehaves on the FIRST request of each callback (one idempotency
 * key) to `/hostile/<misbehaviour>`, then answers 200 "ok" to the retries, as a flaky third party
 * that recovers. Any other path answers 200 "ok". `secrets` are what the echo pretends to know.
 */
export class HostileReceiver {
  readonly hits: Hit[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly seen = new Set<string>();

  private constructor(private readonly secrets: string[]) {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const key = String(req.headers['idempotency-key'] ?? '');
        const path = req.url ?? '';
        this.hits.push({ path, idempotencyKey: key, authorization: req.headers.authorization });
        const name = /^\/hostile\/([a-z0-9-]+)/.exec(path)?.[1] as Misbehaviour | undefined;
        const first = !this.seen.has(key);
        this.seen.add(key);
        if (name && first && name in MISBEHAVIOURS) return MISBEHAVIOURS[name](res, req, this.secrets);
        res.writeHead(200).end('ok');
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(secrets: string[]): Promise<HostileReceiver> {
    const r = new HostileReceiver(secrets);
    await new Promise<void>((resolve, reject) => {
      r.server.once('error', reject);
      r.server.listen(0, '127.0.0.1', resolve);
    });
    return r;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
