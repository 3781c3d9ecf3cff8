/**
 * Benchmark 4 — latency at a steady 500 events/s: p50 / p95 / p99 from produce to callback
 * received, for BENCH_SECONDS (30) per path, after 5 s of warm-up. Each event carries its produce time (wall clock,
 * sub-millisecond) as a member attribute that the URL template puts in the query; the receiver, in
 * its own process, subtracts it from its arrival time. The projector runs too, as in production.
 *
 * Two paths are measured in the same run:
 *   log:     event produced on the log → dispatcher → receiver (the dispatcher's own latency);
 *   inbound: event produced on Dispatch's inbound topic → ingest → log → dispatcher → receiver.
 */
import { benchMain } from './support/bench.main';
import { loadDispatcherConfig } from '../apps/dispatcher/src/config/dispatcher.config';
import { randomKeyRing, size } from './support/bench.env';
import { COMMUNICATIONS, startDispatchStack } from './support/dispatch.scenario';
import { communicationIds, configured, messageSent, recordOf } from './support/log-events.factory';
import { ReceiverHandle } from './support/receiver.handle';
import { figure, fmt, sleep, summary, target } from './support/report';
import { produceSteadily } from './support/steady.producer';
import { startIngest } from './support/services.launcher';

const RATE = size('RATE', 500);
const SECONDS = size('SECONDS', 30);
const WARMUP_SECONDS = 5;
const shipped = loadDispatcherConfig({ SECRETS_KEYS: randomKeyRing() });
const latencyUrl = (base: string) => `${base}/lat/\${tenant}/\${studentId}?sent=\${sent}&message=\${id}`;

benchMain(`4. latency at a steady ${RATE} events/s: produce → callback received`, async (run) => {
  const receiver = await ReceiverHandle.start({ latency: true });
  run.receivers.push(receiver);
  const stack = await startDispatchStack(run, 'latency', receiver, {}, latencyUrl);
  run.track(await startIngest(stack.names));
  run.topics.push(stack.names.inbound, stack.names.deadLetter);
  // The inbound path gets its own communications, configured through ingest like Dispatch would.
  const inboundComms = communicationIds(COMMUNICATIONS, 'latency-in');
  await run.producer.sendOrdered(
    stack.names.inbound,
    inboundComms.map((c) =>
      recordOf(
        configured(c, [
          { id: 'mail-history', event: 'MessageSent', method: 'GET', url: latencyUrl(receiver.baseUrl) },
        ]),
        'inbound',
      ),
    ),
  );
  await sleep(2_000);
  figure(
    'settings',
    `${RATE} events/s for ${SECONDS} s per path (after ${WARMUP_SECONDS} s warm-up); dispatcher defaults (concurrency ${shipped.maxConcurrency}, ${shipped.maxConcurrencyPerHost} per host)`,
  );

  let p99Log = NaN;
  let p50Log = NaN;
  for (const path of ['log', 'inbound'] as const) {
    const topic = path === 'log' ? stack.names.log : stack.names.inbound;
    const comms = path === 'log' ? stack.comms : inboundComms;
    const make = (offset: number) => (i: number, sentAt: number) =>
      recordOf(
        messageSent(comms[(offset + i) % COMMUNICATIONS], offset + i, { sent: Number(sentAt.toFixed(3)) }),
        path === 'log' ? 'stored' : 'inbound',
      );
    // Warm-up (not measured): connections, JIT and the transactional producers of every partition.
    await produceSteadily(run.producer, topic, RATE, WARMUP_SECONDS, make(0));
    await sleep(2_000);
    receiver.reset();
    await sleep(200);
    const produced = await produceSteadily(run.producer, topic, RATE, SECONDS, make(RATE * WARMUP_SECONDS));
    for (let i = 0; i < 100 && (await receiver.stats()).requests < produced.sent; i += 1) await sleep(100);
    const stats = await receiver.stats(true);
    const s = summary(stats.latenciesMs);
    figure(
      `${path}: produced`,
      `${fmt(produced.sent)} at ${fmt(produced.achievedPerSecond, 1)} events/s (${produced.droppedTicks} late ticks)`,
    );
    figure(`${path}: callbacks received`, fmt(s.n));
    figure(
      `${path}: latency p50 / p95 / p99 / max`,
      `${fmt(s.p50, 1)} / ${fmt(s.p95, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max, 1)} ms`,
    );
    // p99 per 5 s of arrivals: shows whether the tail is spread out or one stall.
    const perWindow = RATE * 5;
    const windows: string[] = [];
    for (let i = 0; i < stats.latenciesMs.length; i += perWindow)
      windows.push(fmt(summary(stats.latenciesMs.slice(i, i + perWindow)).p99));
    figure(`${path}: p99 per 5 s window (ms)`, windows.join(' '));
    if (path === 'log') {
      p99Log = s.p99;
      p50Log = s.p50;
    } else {
      figure('ratio p50 through ingest / p50 log only', fmt(s.p50 / p50Log, 2));
      target('p99 produce → callback, through ingest', s.p99, 100, 'lower', ' ms');
    }
  }
  target('p99 produce → callback, log → dispatcher', p99Log, 100, 'lower', ' ms');
});
