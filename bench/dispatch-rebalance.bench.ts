/**
 * The pause a rebalance causes: callbacks at a steady BENCH_RATE (200) events/s through one
 * dispatcher, then the same rate while a second dispatcher of the same group starts and the log
 * partitions are split between the two. Prints the latency (produce on the log → callback
 * received) of the steady phase and of the phase holding the rebalance: p50 / p99 / max, and p99
 * per 2 s of arrivals, which shows the pause and how long it lasts. Log path only: ingest adds the
 * same in both phases (benchmark 4).
 */
import { benchMain } from './support/bench.main';
import { size, uniqueName } from './support/bench.env';
import { COMMUNICATIONS, startDispatchStack, untilPartitionsSpread } from './support/dispatch.scenario';
import { messageSent, recordOf } from './support/log-events.factory';
import { ReceiverHandle } from './support/receiver.handle';
import { figure, fmt, sleep, summary } from './support/report';
import { produceSteadily } from './support/steady.producer';
import { startDispatcher } from './support/services.launcher';

const RATE = size('RATE', 200);
const STEADY_SECONDS = size('STEADY_SECONDS', 15);
const REBALANCE_SECONDS = size('REBALANCE_SECONDS', 30);
/** Into the second phase when the second dispatcher is started. */
const JOIN_AFTER_MS = 3_000;
const WARMUP_SECONDS = 5;
const latencyUrl = (base: string) => `${base}/lat/\${tenant}/\${studentId}?sent=\${sent}&message=\${id}`;

benchMain(`dispatch rebalance: latency at ${RATE} events/s while a second dispatcher joins`, async (run) => {
  const receiver = await ReceiverHandle.start({ latency: true });
  run.receivers.push(receiver);
  const group = uniqueName('bench-dispatcher');
  const env = { CONSUMER_GROUP: group };
  const stack = await startDispatchStack(run, 'rebalance', receiver, env, latencyUrl);
  let next = 0;
  const make = (i: number, sentAt: number) =>
    recordOf(
      messageSent(stack.comms[(next + i) % COMMUNICATIONS], next + i, { sent: Number(sentAt.toFixed(3)) }),
      'stored',
    );
  const produce = async (seconds: number) => {
    const produced = await produceSteadily(run.producer, stack.names.log, RATE, seconds, make);
    next += produced.sent;
    return produced;
  };
  const drained = async (sent: number) => {
    for (let i = 0; i < 600 && (await receiver.stats()).requests < sent; i += 1) await sleep(100);
    const stats = await receiver.stats(true);
    // Each phase's figures are its own (stats(true) only adds the latencies; it does not reset).
    receiver.reset();
    return stats;
  };
  const report = (
    phase: string,
    latencies: number[],
    produced: { sent: number; achievedPerSecond: number },
  ) => {
    const s = summary(latencies);
    figure(
      `${phase}: produced / received`,
      `${fmt(produced.sent)} at ${fmt(produced.achievedPerSecond, 1)}/s / ${fmt(s.n)}`,
    );
    figure(`${phase}: latency p50 / p99 / max`, `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max, 1)} ms`);
    const perWindow = RATE * 2;
    const windows: string[] = [];
    for (let i = 0; i < latencies.length; i += perWindow)
      windows.push(fmt(summary(latencies.slice(i, i + perWindow)).p99));
    figure(`${phase}: p99 per 2 s of arrivals (ms)`, windows.join(' '));
    return s;
  };

  // Warm-up (not measured): connections, JIT, the transactional producers of every partition.
  const warm = await produce(WARMUP_SECONDS);
  await drained(warm.sent);
  receiver.reset();

  const steadyProduced = await produce(STEADY_SECONDS);
  const steady = report(
    'one dispatcher, steady',
    (await drained(steadyProduced.sent)).latenciesMs,
    steadyProduced,
  );

  const phase = produce(REBALANCE_SECONDS);
  await sleep(JOIN_AFTER_MS);
  const joinedAt = Date.now();
  const second = run.track(await startDispatcher(stack.names, env));
  const healthyMs = Date.now() - joinedAt;
  await untilPartitionsSpread([stack.dispatcher.url, second.url], stack.names.partitions, 100);
  const spreadMs = Date.now() - joinedAt;
  const rebalanceProduced = await phase;
  const during = report(
    'second dispatcher joining',
    (await drained(rebalanceProduced.sent)).latenciesMs,
    rebalanceProduced,
  );
  figure(
    'second dispatcher: healthy / partitions spread after its start',
    `${fmt(healthyMs)} / ${fmt(spreadMs)} ms (started ${JOIN_AFTER_MS / 1000} s into a ${REBALANCE_SECONDS} s phase)`,
  );
  figure('p99 with the rebalance / p99 steady', fmt(during.p99 / steady.p99, 1));
});
