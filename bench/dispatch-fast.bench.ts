/**
 * Benchmark 2 — dispatch with a fast receiver (answers 200 at once).
 *
 * End to end: BENCH_EVENTS (100 000) MessageSent events produced on the log → callback received
 * by the receiver → attempt projected in Postgres by the projector; callbacks/s over that whole
 * span. Then the raw ceiling: the same receiver process driven by a bare HTTP client loop with the
 * dispatcher's concurrency, no Kafka. Prints ours/raw.
 */
import { benchMain } from './support/bench.main';
import { size } from './support/bench.env';
import { cpuMicrosPer, describeCpuSplit, startCpuAccounting } from './support/cpu.accounting';
import { burst, startDispatchStack } from './support/dispatch.scenario';
import { rawClientLoop } from './support/raw-client.loop';
import { ReceiverHandle } from './support/receiver.handle';
import { figure, fmt, target } from './support/report';
import { stopAll } from './support/services.launcher';

const EVENTS = size('EVENTS', 100_000);
const CONCURRENCY = size('CONCURRENCY', 64);

benchMain('2. dispatch, fast receiver: log → callback → projected', async (run) => {
  const receiver = await ReceiverHandle.start();
  run.receivers.push(receiver);
  const stack = await startDispatchStack(run, 'fast', receiver, {
    MAX_CONCURRENCY: String(CONCURRENCY),
    MAX_CONCURRENCY_PER_HOST: String(CONCURRENCY),
  });
  figure('events / dispatcher concurrency', `${fmt(EVENTS)} / ${CONCURRENCY} (global and per host)`);
  // BENCH_PROJECTOR_PAUSED=1: the projector is stopped (SIGSTOP) until every callback arrived, to
  // see what the dispatcher does with the CPU the projection and Postgres otherwise take.
  const paused = process.env.BENCH_PROJECTOR_PAUSED === '1';
  const projectorPid = stack.projector.service.pid!;
  if (paused) process.kill(projectorPid, 'SIGSTOP');
  const r = await burst(run, stack, receiver, EVENTS, 20 * 60_000, true, () => {
    if (paused) process.kill(projectorPid, 'SIGCONT');
  });
  if (paused) figure('projector', 'paused until every callback was received');
  await stopAll([stack.dispatcher, stack.projector]);
  run.services.length = 0;

  const rawCpu = startCpuAccounting();
  const raw = await rawClientLoop(`${receiver.baseUrl}/cb/raw`, EVENTS, CONCURRENCY);
  const rawSplit = rawCpu();
  const received = EVENTS / r.receivedSeconds;
  const ours = EVENTS / r.projectedSeconds;
  figure(
    'produce (bench producer)',
    `${fmt(r.produceSeconds, 1)} s (${fmt(EVENTS / r.produceSeconds)} events/s)`,
  );
  figure(
    'callbacks received (produce start → last)',
    `${fmt(r.receivedSeconds, 1)} s → ${fmt(received)} callbacks/s`,
  );
  figure('requests received (at-least-once, ≥ events)', fmt(r.requests));
  figure('attempts handed off (recorded RETRY_DELAY_MS later)', fmt(r.handedOff));
  figure('end to end incl. projection', `${fmt(r.projectedSeconds, 1)} s → ${fmt(ours)} callbacks/s`);
  figure(
    'raw ceiling (bare HTTP loop, same receiver)',
    `${fmt(raw.seconds, 1)} s → ${fmt(raw.perSecond)} callbacks/s`,
  );
  figure('CPU of the machine, raw loop', describeCpuSplit(rawSplit));
  figure('ratio ours / raw (end to end)', fmt(ours / raw.perSecond, 3));
  figure('ratio ours / raw (received only)', fmt(received / raw.perSecond, 3));
  figure('CPU of the machine, produce → received', describeCpuSplit(r.cpuToReceived));
  figure('CPU of the machine, produce → projected', describeCpuSplit(r.cpu));
  // Less noisy than the rates: the CPU a service spent per callback does not depend on how much
  // of the machine the others left it.
  const perCallback = (group: string) => fmt(cpuMicrosPer(r.cpu, group, EVENTS));
  figure('CPU per callback, dispatcher (µs)', perCallback('dispatcher'));
  figure('CPU per callback, projector (µs)', perCallback('projector'));
  figure('CPU per callback, postgres (µs)', perCallback('postgres'));
  figure('CPU per callback, kafka broker (µs)', perCallback('kafka broker'));
  figure('CPU per request, raw loop client (µs)', fmt(cpuMicrosPer(rawSplit, 'bench harness', EVENTS)));
  figure('peak RSS dispatcher / projector', `${fmt(r.memory.dispatcher)} / ${fmt(r.memory.projector)} MiB`);
  target('end-to-end callbacks/s (fast receiver)', ours, 2_000, 'higher');
});
