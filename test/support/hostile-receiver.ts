import type { IncomingMessage, ServerResponse } from 'node:http';
import { CallbackReceiver } from './callback-receiver';

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

/**
 * A receiver on 127.0.0.1 that misbehaves on the FIRST request of each callback (one idempotency
 * key) to `/hostile/<misbehaviour>`, then answers 200 "ok" to the retries, as a flaky third party
 * that recovers. Any other path answers 200 "ok". `secrets` are what the echo pretends to know.
 */
export async function hostileReceiver(secrets: string[]): Promise<CallbackReceiver> {
  const receiver = await CallbackReceiver.start();
  const seen = new Set<string>();
  receiver.takeOver = (req, res) => {
    const key = String(req.headers['idempotency-key'] ?? '');
    const name = /^\/hostile\/([a-z0-9-]+)/.exec(req.url ?? '')?.[1];
    const first = !seen.has(key);
    seen.add(key);
    if (!name || !first || !(name in MISBEHAVIOURS)) return false;
    MISBEHAVIOURS[name as Misbehaviour](res, req, secrets);
    return true;
  };
  return receiver;
}
