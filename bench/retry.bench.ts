/**
 * Benchmark 5 — retry timing with a 5 s delay: how late each retry fires, whatever the mix of
 * delays (decision 0620).
 *
 * The receiver fails the first two requests of every callback and answers 200 to the third, so
 * every callback is retried twice (no callback fails, no communication is disabled). One callback
 * in four is failed with 503 and `Retry-After: 12`, the others with 500: their retry records (due
 * in 12 s and in 5 s) are interleaved on the same retry partitions, the 12 s ones often ahead.
 * BENCH_EVENTS (2 000) callbacks are triggered at a steady 200/s. Lateness of a retry = its arrival
 * − (arrival of the previous attempt + its delay): the dispatcher schedules from the end of the
 * previous attempt, which the receiver sees within a fraction of a millisecond of its arrival.
 */
import { benchMain } from './support/bench.main';
import { size } from './support/bench.env';
import { COMMUNICATIONS, startDispatchStack } from './support/dispatch.scenario';
import { messageSent, recordOf } from './support/log-events.factory';
import { ReceiverHandle } from './support/receiver.handle';
import { asksRetryAfter } from './support/receiver.process';
import { figure, fmt, sleep, summary, target } from './support/report';
import { produceSteadily } from './support/steady.producer';

const EVENTS = size('EVENTS', 2_000);
const RATE = 200;
const DELAY_MS = 5_000;
/**
 * One callback in RETRY_AFTER_EVERY asks for RETRY_AFTER_S with Retry-After (longer than the delay);
 * BENCH_RETRY_AFTER_EVERY=0 runs the plain 5 s workload of earlier figures.
 */
const RETRY_AFTER_EVERY = Number(process.env.BENCH_RETRY_AFTER_EVERY ?? 4);
const RETRY_AFTER_S = 12;

benchMain('5. retry timing with a 5 s delay', async (run) => {
  const receiver = await ReceiverHandle.start({
    failFirst: 2,
    arrivals: true,
    ...(RETRY_AFTER_EVERY > 0 && { retryAfter: { every: RETRY_AFTER_EVERY, seconds: RETRY_AFTER_S } }),
  });
  run.receivers.push(receiver);
  const stack = await startDispatchStack(run, 'retry', receiver, {
    RETRY_DELAY_MS: String(DELAY_MS),
    MAX_ATTEMPTS: '3',
  });
  receiver.reset();
  await produceSteadily(run.producer, stack.names.log, RATE, Math.ceil(EVENTS / RATE), (i) =>
    recordOf(messageSent(stack.comms[i % COMMUNICATIONS], i)),
  );
  const expected = EVENTS * 3;
  const deadline = Date.now() + 180_000;
  while ((await receiver.stats()).requests < expected && Date.now() < deadline) await sleep(250);
  const stats = await receiver.stats(true);
  const late: number[] = [];
  const lateByClass: Record<'plain' | 'retryAfter', number[]> = { plain: [], retryAfter: [] };
  let complete = 0;
  for (const [key, times] of Object.entries(stats.arrivals)) {
    if (times.length >= 3) complete += 1;
    const asks = RETRY_AFTER_EVERY > 0 && asksRetryAfter(key, RETRY_AFTER_EVERY);
    const delay = asks ? RETRY_AFTER_S * 1000 : DELAY_MS;
    for (let k = 1; k < Math.min(times.length, 3); k += 1) {
      const l = times[k] - times[k - 1] - delay;
      late.push(l);
      lateByClass[asks ? 'retryAfter' : 'plain'].push(l);
    }
  }
  const s = summary(late);
  figure('callbacks / with all 3 attempts received', `${fmt(EVENTS)} / ${fmt(complete)}`);
  figure(
    'retries measured (5 s / 12 s Retry-After)',
    `${fmt(lateByClass.plain.length)} / ${fmt(lateByClass.retryAfter.length)}`,
  );
  figure(
    'lateness p50 / p95 / p99 / max',
    `${fmt(s.p50, 1)} / ${fmt(s.p95, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max, 1)} ms`,
  );
  for (const [name, values] of Object.entries(lateByClass)) {
    const c = summary(values);
    figure(`lateness of ${name} retries p99 / max`, `${fmt(c.p99, 1)} / ${fmt(c.max, 1)} ms`);
  }
  figure('earliest retry relative to due time', `${fmt(s.min, 1)} ms`);
  // The dispatcher's own view: timer → chunk start (excludes the HTTP exchange and the receiver).
  const metrics = await (await fetch(`${stack.dispatcher.url}/metrics`)).text();
  const bucket = (le: string) =>
    Number(
      metrics
        .split('\n')
        .find((l) => l.startsWith(`dispatcher_retry_lateness_seconds_bucket{le="${le}"}`))
        ?.split(' ')[1] ?? 0,
    );
  const fired = bucket('+Inf');
  figure(
    'retries fired by the scheduler within 0.1 s / 1 s of due',
    `${fmt((bucket('0.1') / Math.max(1, fired)) * 100, 1)} % / ${fmt((bucket('1') / Math.max(1, fired)) * 100, 1)} % of ${fmt(fired)}`,
  );
  figure('ratio max lateness / delay', `${fmt((s.max / DELAY_MS) * 100, 2)} %`);
  target('retry lateness (max, both classes)', s.max, 1_000, 'lower', ' ms');
  if (complete < EVENTS) throw new Error(`only ${complete} of ${EVENTS} callbacks got their 3 attempts`);
});
