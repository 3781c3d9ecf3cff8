/**
 * Extra benchmark (not one of issue 5's seven) — does one slow receiver hold up the others?
 *
 * The latency bench's log path at a steady BENCH_RATE (500) events/s, but one communication in
 * BENCH_SLOW_EVERY (100) sends its callbacks to a receiver that answers after BENCH_SLOW_MS
 * (3 000) ms. Prints the latency of the callbacks to the FAST receiver next to the same figure with
 * no slow receiver in the run. Equal figures mean slow receivers are isolated.
 */
import { benchMain } from './support/bench.main';
import { size } from './support/bench.env';
import { COMMUNICATIONS, startDispatchStack } from './support/dispatch.scenario';
import { communicationIds, configured, messageSent, recordOf } from './support/log-events.factory';
import { ReceiverHandle } from './support/receiver.handle';
import { figure, fmt, sleep, summary } from './support/report';
import { produceSteadily } from './support/steady.producer';

const RATE = size('RATE', 500);
const SECONDS = size('SECONDS', 20);
const SLOW_MS = size('SLOW_MS', 3_000);
const SLOW_EVERY = size('SLOW_EVERY', 100);
const latencyUrl = (base: string) => `${base}/lat/\${tenant}/\${studentId}?sent=\${sent}&message=\${id}`;

benchMain('extra: head-of-line blocking by one slow receiver', async (run) => {
  const fast = await ReceiverHandle.start({ latency: true });
  const slow = await ReceiverHandle.start({ delayMs: SLOW_MS });
  run.receivers.push(fast, slow);
  const stack = await startDispatchStack(run, 'hol', fast, {}, latencyUrl);
  const [slowComm] = communicationIds(1, 'hol-slow');
  await run.producer.sendOrdered(stack.names.log, [
    recordOf(
      configured(slowComm, [
        { id: 'mail-history', event: 'MessageSent', method: 'GET', url: latencyUrl(slow.baseUrl) },
      ]),
    ),
  ]);
  await sleep(2_000);
  let offset = 0;
  for (const withSlow of [false, true]) {
    const make = (i: number, sentAt: number) => {
      const n = offset + i;
      const comm = withSlow && n % SLOW_EVERY === 0 ? slowComm : stack.comms[n % COMMUNICATIONS];
      return recordOf(messageSent(comm, n, { sent: Number(sentAt.toFixed(3)) }));
    };
    await produceSteadily(run.producer, stack.names.log, RATE, 3, make); // warm-up, not measured
    offset += RATE * 3;
    await sleep(SLOW_MS + 1_000);
    fast.reset();
    await sleep(200);
    const produced = await produceSteadily(run.producer, stack.names.log, RATE, SECONDS, make);
    offset += produced.sent;
    await sleep(SLOW_MS * 2 + 2_000);
    const s = summary((await fast.stats(true)).latenciesMs);
    const label = withSlow
      ? `with 1 in ${SLOW_EVERY} to a ${SLOW_MS} ms receiver`
      : 'all to the fast receiver';
    figure(`${label}: fast callbacks`, fmt(s.n));
    figure(
      `${label}: p50 / p95 / p99 / max`,
      `${fmt(s.p50, 1)} / ${fmt(s.p95, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max, 1)} ms`,
    );
  }
});
