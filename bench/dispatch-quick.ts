/**
 * End-to-end dispatcher throughput: N MessageSent events of one communication on a fresh log, one
 * in-process dispatcher, one local receiver; reports callbacks per second from the first request
 * to the last CallbackAttempted being readable on the log. A quick figure, not a benchmark suite.
 *
 *   npx tsc -p tsconfig.json --outDir .local/bench-build
 *   TS_NODE_BASEURL=.local/bench-build node -r tsconfig-paths/register .local/bench-build/bench/dispatch-quick.js
 *
 * Environment: KAFKA_BROKERS (127.0.0.1:9092) and KAFKA_SSL, KAFKA_SASL_* as the services, BENCH_EVENTS (2000), BENCH_DELAYS_MS ("0,100"),
 * MAX_CONCURRENCY (256), MAX_CONCURRENCY_PER_HOST (128).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { logHeadersOf, type LogEvent } from '@app/contracts';
import { loadDispatcherConfig } from '../apps/dispatcher/src/config/dispatcher.config';
import { startDispatcher } from '../apps/dispatcher/src/dispatcher.app';
import { benchKafka, kafkaVars } from './support/bench.env';

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const total = Number(process.env.BENCH_EVENTS ?? 2000);
const delays = (process.env.BENCH_DELAYS_MS ?? '0,100').split(',').map(Number);

async function run(delayMs: number): Promise<void> {
  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let received = 0;
  let first = 0;
  let last = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    first ||= Date.now();
    const done = () => {
      received += 1;
      last = Date.now();
      res.end('ok');
    };
    if (delayMs > 0) setTimeout(done, delayMs);
    else done();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const config = loadDispatcherConfig({
    ...kafkaVars(),
    KAFKA_BROKERS: brokers,
    LOG_TOPIC: `bench.log.${id}`,
    RETRY_TOPIC: `bench.retry.${id}`,
    STATE_TOPIC: `bench.state.${id}`,
    CONSUMER_GROUP: `bench.${id}`,
    LOG_PARTITIONS: '1',
    SECRETS_KEYS: `k:${randomBytes(32).toString('base64')}`,
    SSRF_ALLOWED_NETWORKS: '127.0.0.0/8',
    MAX_CONCURRENCY: process.env.MAX_CONCURRENCY ?? '256',
    MAX_CONCURRENCY_PER_HOST: process.env.MAX_CONCURRENCY_PER_HOST ?? '128',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
  });
  const app = await startDispatcher(config, { logger: ['error'] });
  const kafka = benchKafka(`bench-${id}`);
  const producer = kafka.producer();
  await producer.connect();
  const comm = `bench-${id}`;
  const envelope = (type: string, data: unknown) =>
    ({
      id: randomUUID(),
      type,
      version: 1,
      occurredAt: new Date().toISOString(),
      communicationId: comm,
      data,
    }) as LogEvent;
  const events = [
    envelope('CommunicationConfigured', {
      campaignId: 'bench',
      campaignMode: 'production',
      environment: {},
      notificationList: [],
      callbacks: [
        { id: 'cb', event: 'MessageSent', method: 'GET', url: `http://127.0.0.1:${port}/m/\${id}` },
      ],
    }),
    ...Array.from({ length: total }, () =>
      envelope('MessageSent', { messageId: randomUUID(), batchId: 'b', memberAttributes: {} }),
    ),
  ];
  for (let i = 0; i < events.length; i += 500) {
    await producer.send({
      topic: config.logTopic,
      messages: events
        .slice(i, i + 500)
        .map((e) => ({ key: comm, value: JSON.stringify(e), headers: logHeadersOf(e) })),
    });
  }
  const deadline = Date.now() + 300_000;
  while (received < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const seconds = (last - first) / 1000;
  console.log(
    `receiver delay ${delayMs} ms: ${received}/${total} callbacks in ${seconds.toFixed(2)} s = ${(received / seconds).toFixed(0)} callbacks/s`,
  );
  await producer.disconnect();
  await app.close();
  await new Promise((r) => server.close(r));
  server.closeAllConnections();
}

(async () => {
  for (const d of delays) await run(d);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
