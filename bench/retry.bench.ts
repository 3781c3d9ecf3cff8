/**
 * Benchmark 5 — retry timing with a 5 s delay: how late each retry fires.
 *
 * The receiver answers 500 to the first two requests of every callback and 200 to the third, so
 * every callback is retried twice (no callback fails, no communication is disabled). BENCH_EVENTS
 * (2 000) callbacks are triggered at a steady 200/s. Lateness of a retry = its arrival − (arrival
 * of the previous attempt + 5 s): the dispatcher schedules from the end of the previous attempt,
 * which the receiver sees within a fraction of a millisecond of its own arrival time.
 */
import { benchMain } from './support/bench.main';
import { size } from './support/bench.env';
import { COMMUNICATIONS, startDispatchStack } from './support/dispatch.scenario';
import { messageSent, recordOf } from './support/log-events.factory';
import { ReceiverHandle } from './support/receiver.handle';
import { figure, fmt, sleep, summary, target } from './support/report';
import { produceSteadily } from './support/steady.producer';

const EVENTS = size('EVENTS', 2_000);
const RATE = 200;
const DELAY_MS = 5_000;

benchMain('5. retry timing with a 5 s delay', async (run) => {
  const receiver = await ReceiverHandle.start({ failFirst: 2, arrivals: true });
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
  const deadline = Date.now() + 120_000;
  while ((await receiver.stats()).requests < expected && Date.now() < deadline) await sleep(250);
  const stats = await receiver.stats(true);
  const late: number[] = [];
  let complete = 0;
  for (const times of Object.values(stats.arrivals)) {
    if (times.length >= 3) complete += 1;
    for (let k = 1; k < Math.min(times.length, 3); k += 1) late.push(times[k] - times[k - 1] - DELAY_MS);
  }
  const s = summary(late);
  figure('callbacks / with all 3 attempts received', `${fmt(EVENTS)} / ${fmt(complete)}`);
  figure('retries measured', fmt(s.n));
  figure(
    'lateness p50 / p95 / p99 / max',
    `${fmt(s.p50, 1)} / ${fmt(s.p95, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max, 1)} ms`,
  );
  figure('earliest retry relative to due time', `${fmt(s.min, 1)} ms`);
  figure('ratio max lateness / delay', `${fmt((s.max / DELAY_MS) * 100, 2)} %`);
  target('retry lateness (max)', s.max, 1_000, 'lower', ' ms');
  if (complete < EVENTS) throw new Error(`only ${complete} of ${EVENTS} callbacks got their 3 attempts`);
});
