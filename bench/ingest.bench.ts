/**
 * Benchmark 1 — ingest: events/s from the inbound topic to the log.
 *
 * A backlog of BENCH_EVENTS (200 000) valid inbound MessageSent events is written to a fresh
 * inbound topic first; then ingest starts and drains it. The rate is taken between the first and
 * the last appended event (ingest's own counter), so start-up time is reported separately. Then
 * the same backlog goes through a bare exactly-once kafkajs pipe (support/raw-pipe.ts): the raw
 * limit of a consume → produce loop with this client, nothing of ingest's own work in it.
 */
import { cpuMicrosPer, describeCpuSplit, startCpuAccounting, type CpuSplit } from './support/cpu.accounting';
import { benchMain } from './support/bench.main';
import { size, uniqueName } from './support/bench.env';
import { communicationIds, messageSent, recordOf } from './support/log-events.factory';
import { rawPipe } from './support/raw-pipe';
import { figure, fmt, sleep } from './support/report';
import { benchNames, counter, memoryOf, startIngest, stopAll } from './support/services.launcher';

const EVENTS = size('EVENTS', 200_000);
const COMMUNICATIONS = 60;

benchMain('1. ingest: inbound topic → log', async (run) => {
  const names = benchNames('ingest');
  run.topics.push(names.inbound, names.log, names.deadLetter, names.parked);
  const comms = communicationIds(COMMUNICATIONS, 'ingest');
  await run.producer.createTopic(names.inbound, names.partitions);
  const rawCpu = startCpuAccounting();
  const produceSeconds = await run.producer.sendMany(names.inbound, EVENTS, (i) =>
    recordOf(messageSent(comms[i % COMMUNICATIONS], i), 'inbound'),
  );
  const rawSplit = rawCpu();
  figure('backlog written', `${fmt(EVENTS)} events in ${fmt(produceSeconds, 1)} s`);

  const startedAt = Date.now();
  const ingest = run.track(await startIngest(names));
  const readyAt = Date.now();
  const ingestCpu = startCpuAccounting();
  let first: { at: number; count: number } | undefined;
  let count = 0;
  const deadline = Date.now() + 15 * 60_000;
  while (count < EVENTS) {
    if (Date.now() > deadline) throw new Error(`ingest appended only ${count} of ${EVENTS} in 15 minutes`);
    await sleep(100);
    count = await counter(ingest.url, 'ingest_events_appended_total');
    if (count > 0 && !first) first = { at: Date.now(), count };
  }
  const doneAt = Date.now();
  const ingestSplit = ingestCpu();
  const memory = memoryOf(ingest.service.pid);
  const rate = (EVENTS - first!.count) / ((doneAt - first!.at) / 1000);
  figure('start-up (process start → /health 200)', `${fmt((readyAt - startedAt) / 1000, 1)} s`);
  figure('drain (first → last append)', `${fmt((doneAt - first!.at) / 1000, 1)} s`);
  figure('ingest throughput', `${fmt(rate)} events/s`);
  figure('ingest throughput incl. start-up', `${fmt(EVENTS / ((doneAt - startedAt) / 1000))} events/s`);
  figure('raw produce rate (bench producer, same broker)', `${fmt(EVENTS / produceSeconds)} events/s`);
  figure('ratio ingest / raw produce', fmt(rate / (EVENTS / produceSeconds), 2));
  // Where the CPU went: the raw produce writes each event once; through ingest the broker also
  // serves the fetch, writes the event a second time and the transaction markers.
  const perEvent = (split: CpuSplit, group: string) => `${fmt(cpuMicrosPer(split, group, EVENTS))} µs`;

  figure('CPU of the machine, raw produce', describeCpuSplit(rawSplit));
  figure('CPU of the machine, ingest drain', describeCpuSplit(ingestSplit));
  figure('CPU per event, raw produce: producer', perEvent(rawSplit, 'bench harness'));
  figure('CPU per event, raw produce: broker', perEvent(rawSplit, 'kafka broker'));
  figure('CPU per event, through ingest: ingest', perEvent(ingestSplit, 'ingest'));
  figure('CPU per event, through ingest: broker', perEvent(ingestSplit, 'kafka broker'));
  figure('ingest peak RSS', `${fmt(memory?.peakMiB ?? NaN)} MiB`);

  // The raw limit of ingest's loop: the same backlog copied by a bare exactly-once kafkajs pipe.
  await stopAll(run.services.splice(0));
  const piped = uniqueName('bench.ingest.pipe');
  run.topics.push(piped);
  await run.producer.createTopic(piped, names.partitions);
  const pipeCpu = startCpuAccounting();
  const pipeSeconds = await rawPipe(names.inbound, piped, names.partitions);
  const pipeSplit = pipeCpu();
  const pipeRate = EVENTS / pipeSeconds;
  figure('raw exactly-once pipe (kafkajs, nothing of ingest)', `${fmt(pipeRate)} events/s`);
  figure('ratio raw pipe / raw produce', fmt(pipeRate / (EVENTS / produceSeconds), 2));
  figure('ratio ingest / raw pipe', fmt(rate / pipeRate, 2));
  figure('CPU of the machine, raw pipe', describeCpuSplit(pipeSplit));
  figure('CPU per event, raw pipe: pipe', perEvent(pipeSplit, 'bench harness'));
});
