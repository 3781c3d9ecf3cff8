/**
 * Benchmark 3 — dispatch with a slow receiver (100 ms per request) against the naive baseline
 * (bench/baseline/naive-dispatcher.ts: eachMessage + one fetch per message + produce the result).
 *
 * Ours: BENCH_EVENTS (20 000) events, callbacks/s until the last one is received. The naive
 * consumer handles about 10 callbacks/s, so 20 000 would take over half an hour: it is measured
 * over BENCH_NAIVE_SECONDS (60) of the same stream instead (scaled down, printed as such).
 * Ours runs with 64 requests in flight per host (all callbacks go to one receiver host); a second,
 * smaller run (BENCH_DEFAULTS_EVENTS, 2 000) shows the shipped limits (MAX_CONCURRENCY_PER_HOST).
 */
import path from 'node:path';
import { ChildService } from '../test/support/child-service';
import { benchMain } from './support/bench.main';
import { loadDispatcherConfig } from '../apps/dispatcher/src/config/dispatcher.config';
import { kafkaVars, randomKeyRing, size, uniqueName } from './support/bench.env';
import { burst, startDispatchStack } from './support/dispatch.scenario';
import { ReceiverHandle } from './support/receiver.handle';
import { figure, fmt, sleep, target, until } from './support/report';
import { stopAll } from './support/services.launcher';

const EVENTS = size('EVENTS', 20_000);
const NAIVE_SECONDS = size('NAIVE_SECONDS', 60);
const CONCURRENCY = size('CONCURRENCY', 64);
const DELAY_MS = 100;
const DEFAULTS_EVENTS = size('DEFAULTS_EVENTS', 2_000);
/** The dispatcher's defaults, read from its configuration schema (the key ring is required). */
const shipped = loadDispatcherConfig({ SECRETS_KEYS: randomKeyRing() });

benchMain('3. dispatch, slow receiver (100 ms): ours vs naive', async (run) => {
  const receiver = await ReceiverHandle.start({ delayMs: DELAY_MS });
  run.receivers.push(receiver);
  const stack = await startDispatchStack(run, 'slow', receiver, {
    MAX_CONCURRENCY: String(CONCURRENCY),
    MAX_CONCURRENCY_PER_HOST: String(CONCURRENCY),
  });
  figure('events / dispatcher concurrency', `${fmt(EVENTS)} / ${CONCURRENCY} (global and per host)`);
  // Only delivery is timed here: attempts handed off to the retry path are recorded RETRY_DELAY_MS
  // later, which benchmark 2 measures.
  const r = await burst(run, stack, receiver, EVENTS, 20 * 60_000, false);
  await stopAll([stack.dispatcher, stack.projector]);
  run.services.length = 0;
  const ours = EVENTS / r.receivedSeconds;

  // The same with the shipped limits: every callback here goes to one host, so the per-host limit,
  // not the pipeline, sets the rate.
  const defaults = await startDispatchStack(run, 'slowdef', receiver, {});
  const d = await burst(run, defaults, receiver, DEFAULTS_EVENTS, 10 * 60_000, false);
  await stopAll([defaults.dispatcher, defaults.projector]);
  run.services.length = 0;
  const oursDefaults = DEFAULTS_EVENTS / d.receivedSeconds;

  // The naive consumer reads the same log (its own group) from the beginning.
  receiver.reset();
  const resultTopic = uniqueName('bench.naive.results');
  await run.producer.createTopic(resultTopic, stack.names.partitions);
  run.topics.push(resultTopic);
  const naive = new ChildService('naive', path.join(__dirname, 'baseline', 'naive-dispatcher.js'), {
    ...kafkaVars(),
    LOG_TOPIC: stack.names.log,
    RESULT_TOPIC: resultTopic,
    CONSUMER_GROUP: uniqueName('bench-naive'),
  });
  run.children.push(naive);
  await until(
    async () => naive.tail(50).includes('naive dispatcher running') || !naive.running,
    'naive dispatcher',
    60_000,
  );
  if (!naive.running) throw new Error(`naive dispatcher exited\n${naive.tail()}`);
  // The window starts at its first callback (group join is not callback work).
  await until(async () => (await receiver.stats()).requests > 0, 'first naive callback', 60_000, 50);
  const from = await receiver.stats();
  await sleep(NAIVE_SECONDS * 1000);
  const to = await receiver.stats();
  await naive.stop();
  const naiveRate = (to.requests - from.requests) / ((to.lastAt - from.lastAt) / 1000);

  figure(
    'ours: callbacks received',
    `${fmt(EVENTS)} in ${fmt(r.receivedSeconds, 1)} s → ${fmt(ours, 1)} callbacks/s`,
  );
  figure('ours: attempts handed off to the retry path', fmt(r.handedOff));
  figure('ours: ceiling (concurrency / delay)', `${fmt((CONCURRENCY * 1000) / DELAY_MS)} callbacks/s`);
  figure(
    'naive: callbacks received (SCALED DOWN)',
    `${fmt(to.requests - from.requests)} in ${NAIVE_SECONDS} s → ${fmt(naiveRate, 1)} callbacks/s`,
  );
  figure(
    `ours, shipped limits (${shipped.maxConcurrency} total, ${shipped.maxConcurrencyPerHost} per host)`,
    `${fmt(DEFAULTS_EVENTS)} in ${fmt(d.receivedSeconds, 1)} s → ${fmt(oursDefaults, 1)} callbacks/s`,
  );
  figure('ratio ours / naive', fmt(ours / naiveRate, 1));
  figure('ratio ours (shipped limits) / naive', fmt(oursDefaults / naiveRate, 1));
  target('ours / naive with a 100 ms receiver', ours / naiveRate, 20, 'higher');
});
