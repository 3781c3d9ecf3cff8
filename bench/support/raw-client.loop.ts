import { Agent, request } from 'node:http';

/**
 * The raw ceiling: `requests` GETs to `url` from a bare node:http keep-alive client, `concurrency`
 * at a time, no Kafka and no bookkeeping. Returns callbacks/s of 200 answers.
 */
export async function rawClientLoop(
  url: string,
  requests: number,
  concurrency: number,
): Promise<{ perSecond: number; ok: number; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let ok = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const req = request(
        `${url}?n=${i}`,
        { agent, method: 'GET', headers: { 'idempotency-key': `raw-${i}` } },
        (res) => {
          if (res.statusCode === 200) ok += 1;
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', () => resolve());
      req.end();
    });
  const worker = async () => {
    while (next < requests) await one(next++);
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (Date.now() - started) / 1000;
  agent.destroy();
  return { perSecond: ok / seconds, ok, seconds };
}
