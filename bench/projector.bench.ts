/**
 * Benchmark 6 — projector and replay: events/s for BENCH_EVENTS (500 000) events.
 *
 * The log is filled first with a realistic mix: configurations, then per message a MessageSent,
 * its succeeded CallbackAttempted and an SMS MessageDeliveryStatusChanged. Then:
 *   projection: the projector starts and drains the backlog (rate between its first and last
 *               checkpoint progress, start-up reported apart);
 *   replay:     with the projector stopped, the replay tool rebuilds the whole log into a fresh
 *               schema (wall time of the tool, and the rate it prints itself); verify then compares
 *               it with the live projection (0 differences, or the bench fails);
 *   raw:        the limit of a replay on this machine, in the same run: the log read by a bare
 *               consumer (each record decoded once) plus `COPY` of the replay's rows into a fresh
 *               schema (`support/raw-replay.ts`); the replay's wall time over it is issue 14's row 2.
 */
import { Client } from 'pg';
import { migrate } from '../apps/projector/src/database/data-source.factory';
import { dropSecondaryIndexes } from '../apps/projector/src/database/deferred.indexes';
import { benchMain } from './support/bench.main';
import { databaseUrl, size } from './support/bench.env';
import {
  attemptSucceeded,
  communicationIds,
  configured,
  messageSent,
  recordOf,
  smsDelivered,
  type KafkaRecord,
} from './support/log-events.factory';
import { cpuMicrosPer, describeCpuSplit, startCpuAccounting, type CpuSplit } from './support/cpu.accounting';
import { figure, fmt, sleep, target } from './support/report';
import { rawReadAndCopy } from './support/raw-replay';
import {
  benchNames,
  memoryOf,
  runReplay,
  runVerify,
  startProjector,
  stopAll,
} from './support/services.launcher';

const EVENTS = size('EVENTS', 500_000);
const COMMUNICATIONS = 60;

/** Record i of the backlog: three events per message, in the order the services would append them. */
function mixed(comms: string[]): (i: number) => KafkaRecord {
  let current: { n: number; sent: ReturnType<typeof messageSent> } | undefined;
  return (i) => {
    const n = Math.floor(i / 3);
    const comm = comms[n % comms.length];
    if (current?.n !== n) current = { n, sent: messageSent(comm, n) };
    const sent = current.sent;
    switch (i % 3) {
      case 0:
        return recordOf(sent);
      case 1:
        return recordOf(
          attemptSucceeded(sent, 'mail-history', `http://127.0.0.1:9/cb/${comm}/students/${n}`),
        );
      default:
        return recordOf(smsDelivered(comm, n, sent.data.messageId));
    }
  };
}

benchMain('6. projector and replay', async (run) => {
  const names = benchNames('projector');
  const replaySchema = `${names.schema}_replay`;
  const rawSchema = `${names.schema}_raw`;
  run.topics.push(names.log);
  run.schemas.push(names.schema, replaySchema, rawSchema);
  await run.producer.createTopic(names.log, names.partitions);
  const comms = communicationIds(COMMUNICATIONS, 'projector');
  await run.producer.sendOrdered(
    names.log,
    comms.map((c) =>
      recordOf(
        configured(c, [
          { id: 'mail-history', event: 'MessageSent', method: 'GET', url: 'http://127.0.0.1:9/cb/${id}' },
        ]),
      ),
    ),
  );
  // Batches of 999 consecutive records keep a message's three events in one batch, in order.
  const backlog = EVENTS - COMMUNICATIONS;
  const produceSeconds = await run.producer.sendMany(names.log, backlog, mixed(comms), 999);
  figure('backlog on the log', `${fmt(EVENTS)} events (written in ${fmt(produceSeconds, 1)} s)`);

  // BENCH_DROP_SECONDARY_INDEXES=1, an experiment (docs/performance.md, row 3): the live schema is
  // migrated here and its secondary indexes (the API's and the console's) dropped before the
  // projector starts, to measure what keeping them costs the drain. Never a setting: the read
  // paths need them.
  if (process.env.BENCH_DROP_SECONDARY_INDEXES === '1') {
    await migrate({ databaseUrl: databaseUrl(), schema: names.schema });
    const db = new Client({ connectionString: databaseUrl() });
    await db.connect();
    try {
      const dropped = await dropSecondaryIndexes(db, names.schema);
      figure('experiment: secondary indexes dropped', String(dropped.length));
    } finally {
      await db.end();
    }
  }

  const startedAt = Date.now();
  const projector = run.track(await startProjector(names));
  const readyAt = Date.now();
  let first: { at: number; count: number } | undefined;
  let drainCpu: (() => CpuSplit) | undefined;
  let count = 0;
  const deadline = Date.now() + 20 * 60_000;
  while (count < EVENTS) {
    if (Date.now() > deadline) throw new Error(`projected only ${count} of ${EVENTS} in 20 minutes`);
    await sleep(250);
    count = await run.postgres.eventsProjected(names.schema);
    if (count > 0 && !first) {
      first = { at: Date.now(), count };
      drainCpu = startCpuAccounting();
    }
  }
  const doneAt = Date.now();
  const drainSplit = drainCpu!();
  const projectorPeak = memoryOf(projector.service.pid)?.peakMiB ?? NaN;
  await stopAll([projector]);
  run.services.length = 0;
  const projection = (EVENTS - first!.count) / ((doneAt - first!.at) / 1000);

  // No CPU split for the replay: the tool and its Postgres backends start and end inside the span,
  // and the accounting only sees processes alive at both ends (support/cpu.accounting.ts).
  const replayStarted = Date.now();
  const replay = await runReplay(names, replaySchema, 30 * 60_000);
  const replaySeconds = (Date.now() - replayStarted) / 1000;
  if (replay.code !== 0) throw new Error(`replay exited ${replay.code}\n${replay.stdout}\n${replay.stderr}`);
  const printed = /(\d+) events\/s/.exec(
    replay.stdout
      .split('\n')
      .filter((l) => l.startsWith('replay done'))
      .join(''),
  )?.[1];
  const replayRate = EVENTS / replaySeconds;

  figure('projector start-up (→ /health 200)', `${fmt((readyAt - startedAt) / 1000, 1)} s`);
  figure(
    'projection drain (first → last checkpoint)',
    `${fmt((doneAt - first!.at) / 1000, 1)} s → ${fmt(projection)} events/s`,
  );
  figure('CPU of the machine, projection drain', describeCpuSplit(drainSplit));
  const drained = EVENTS - first!.count;
  figure('CPU per event, drain: projector (µs)', fmt(cpuMicrosPer(drainSplit, 'projector', drained)));
  figure('CPU per event, drain: postgres (µs)', fmt(cpuMicrosPer(drainSplit, 'postgres', drained)));
  figure('projector peak RSS', `${fmt(projectorPeak)} MiB`);
  figure(
    'replay (tool wall time, start-up included)',
    `${fmt(replaySeconds, 1)} s → ${fmt(replayRate)} events/s`,
  );
  figure('replay (rate the tool prints)', `${printed ?? '?'} events/s`);
  const verify = await runVerify(names, replaySchema, 10 * 60_000);
  if (verify.code !== 0)
    throw new Error(`verify exited ${verify.code} (the replay differs)\n${verify.stdout}\n${verify.stderr}`);
  const raw = await rawReadAndCopy(names.log, replaySchema, rawSchema);
  const rawRate = raw.events / (raw.readSeconds + raw.copySeconds);
  figure('replay verified against the projection', '0 differences');
  figure(
    'raw read of the log (decode once)',
    `${fmt(raw.readSeconds, 1)} s → ${fmt(raw.events / raw.readSeconds)} events/s`,
  );
  figure(
    "raw COPY of the replay's rows",
    `${fmt(raw.rows)} rows in ${fmt(raw.copySeconds, 1)} s → ${fmt(raw.rows / raw.copySeconds)} rows/s`,
  );
  figure('raw read + COPY', `${fmt(raw.readSeconds + raw.copySeconds, 1)} s → ${fmt(rawRate)} events/s`);
  figure('ratio replay / raw read + COPY', fmt(replayRate / rawRate, 2));
  figure('raw produce rate (bench producer, same broker)', `${fmt(backlog / produceSeconds)} events/s`);
  figure('ratio projection / raw produce', fmt(projection / (backlog / produceSeconds), 2));
  target('projection events/s', projection, 10_000, 'higher');
  target('replay events/s', replayRate, 10_000, 'higher');
});
