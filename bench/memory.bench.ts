/**
 * Benchmark 7 — memory: peak RSS (VmHWM) of each service while a backlog of BENCH_EVENTS
 * (1 000 000) inbound events drains through ingest → log → dispatcher (fast receiver) and the
 * projector. Half of the events (BENCH_CALLBACK_PERCENT, 50) are MessageSent with a configured
 * callback; the rest are SMS status changes with no callback, so the run drains in minutes on two
 * cores while every service still sees the whole million. RSS is sampled every second from
 * /proc/<pid>/status; the peak is the kernel's high-water mark.
 */
import { randomUUID } from 'node:crypto';
import { benchMain } from './support/bench.main';
import { size } from './support/bench.env';
import { callbackUrl, COMMUNICATIONS } from './support/dispatch.scenario';
import {
  communicationIds,
  configured,
  messageSent,
  recordOf,
  smsDelivered,
} from './support/log-events.factory';
import { ReceiverHandle } from './support/receiver.handle';
import { figure, fmt, sleep, target } from './support/report';
import {
  benchNames,
  memoryOf,
  startDispatcher,
  startIngest,
  startProjector,
  type RunningService,
} from './support/services.launcher';

const EVENTS = size('EVENTS', 1_000_000);
const CALLBACK_PERCENT = size('CALLBACK_PERCENT', 50);

benchMain('7. memory while a backlog of inbound events drains', async (run) => {
  const receiver = await ReceiverHandle.start();
  run.receivers.push(receiver);
  const names = benchNames('memory');
  run.topics.push(names.inbound, names.deadLetter, names.log, names.retry, names.state, names.parked);
  run.schemas.push(names.schema);
  await run.producer.createTopic(names.inbound, names.partitions);
  const comms = communicationIds(COMMUNICATIONS, 'memory');
  await run.producer.sendOrdered(
    names.inbound,
    comms.map((c) =>
      recordOf(
        configured(c, [
          { id: 'mail-history', event: 'MessageSent', method: 'GET', url: callbackUrl(receiver.baseUrl) },
        ]),
        'inbound',
      ),
    ),
  );
  const backlog = EVENTS - COMMUNICATIONS;
  const isCallback = (i: number) => i % 100 < CALLBACK_PERCENT;
  let callbacks = 0;
  for (let i = 0; i < backlog; i += 1) if (isCallback(i)) callbacks += 1;
  const produceSeconds = await run.producer.sendMany(names.inbound, backlog, (i) =>
    recordOf(
      isCallback(i)
        ? messageSent(comms[i % COMMUNICATIONS], i)
        : smsDelivered(comms[i % COMMUNICATIONS], i, randomUUID()),
      'inbound',
    ),
  );
  figure(
    'backlog on the inbound topic',
    `${fmt(EVENTS)} events, ${fmt(callbacks)} trigger a callback (written in ${fmt(produceSeconds, 1)} s)`,
  );

  const started = Date.now();
  const services: RunningService[] = await Promise.all([
    startIngest(names).then((s) => run.track(s)),
    startDispatcher(names, { MAX_CONCURRENCY: '64', MAX_CONCURRENCY_PER_HOST: '64' }).then((s) =>
      run.track(s),
    ),
    startProjector(names).then((s) => run.track(s)),
  ]);
  // Everything on the log at the end: the inbound events plus one CallbackAttempted per callback.
  const expected = EVENTS + callbacks;
  const maxRss = new Map<string, number>();
  const deadline = Date.now() + 30 * 60_000;
  let projected = 0;
  let lastLine = 0;
  while (projected < expected) {
    if (Date.now() > deadline) throw new Error(`projected ${projected} of ${expected} in 30 minutes`);
    await sleep(1_000);
    for (const s of services) {
      const m = memoryOf(s.service.pid);
      if (!s.service.running) throw new Error(`${s.service.name} exited\n${s.service.tail()}`);
      if (m) maxRss.set(s.service.name, Math.max(maxRss.get(s.service.name) ?? 0, m.rssMiB));
    }
    projected = await run.postgres.eventsProjected(names.schema);
    if (Date.now() - lastLine > 30_000) {
      lastLine = Date.now();
      const received = (await receiver.stats()).requests;
      process.stdout.write(
        `  … ${Math.round((Date.now() - started) / 1000)} s: ${fmt(received)} callbacks, ${fmt(projected)}/${fmt(expected)} projected\n`,
      );
    }
  }
  const seconds = (Date.now() - started) / 1000;
  figure(
    'drained (services start → all projected)',
    `${fmt(seconds, 1)} s (${fmt(EVENTS / seconds)} inbound events/s through the whole stack)`,
  );
  figure('callbacks received', fmt((await receiver.stats()).requests));
  let allMet = true;
  for (const s of services) {
    const peak = memoryOf(s.service.pid)?.peakMiB ?? NaN;
    figure(
      `${s.service.name}: peak RSS (VmHWM) / max sampled RSS`,
      `${fmt(peak)} / ${fmt(maxRss.get(s.service.name) ?? NaN)} MiB`,
    );
    allMet = target(`${s.service.name} peak RSS`, peak, 300, 'lower', ' MiB') && allMet;
  }
  figure('all services within 300 MiB', allMet ? 'yes' : 'no');
});
