/**
 * Raw sender throughput: how many callbacks per second one HttpSender delivers to a local receiver
 * at a fixed concurrency. The receiver runs in a child process so it does not share our event loop.
 *
 *   npx tsc -p tsconfig.json --outDir .local/bench-build
 *   TS_NODE_BASEURL=.local/bench-build node -r tsconfig-paths/register .local/bench-build/bench/sender-raw.js
 *
 * Settings (environment): BENCH_CONCURRENCY (50), BENCH_SECONDS (5), BENCH_DELAYS_MS ("0,100":
 * one run per receiver delay).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { HttpSender } from '../apps/dispatcher/src/delivery/http.sender';

const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const delays = (process.env.BENCH_DELAYS_MS ?? '0,100').split(',').map(Number);

const RECEIVER = `
const http = require('node:http');
const delay = Number(process.argv[1]);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => (delay > 0 ? setTimeout(() => res.end('ok'), delay) : res.end('ok')));
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

async function run(delayMs: number): Promise<void> {
  const child = spawn(process.execPath, ['-e', RECEIVER, String(delayMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number(chunk.toString().trim());
  const sender = new HttpSender({
    allowedNetworks: ['127.0.0.0/8'],
    maxSnippetBytes: 4096,
    userAgent: 'bench',
  });
  const url = `http://127.0.0.1:${port}/cb?x=1`;
  let ok = 0;
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < end) {
      const r = await sender.send({ method: 'GET', url, idempotencyKey: randomUUID(), timeoutMs: 10_000 });
      if (r.statusCode === 200 && r.error === null) ok += 1;
      else failed += 1;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (Date.now() - started) / 1000;
  await sender.close();
  child.kill();
  console.log(
    `receiver delay ${delayMs} ms, concurrency ${concurrency}: ${(ok / elapsed).toFixed(0)} callbacks/s ` +
      `(${ok} ok, ${failed} failed in ${elapsed.toFixed(1)} s)`,
  );
}

(async () => {
  for (const d of delays) await run(d);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
