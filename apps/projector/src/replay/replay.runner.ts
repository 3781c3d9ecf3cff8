import { createKafka } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource, migrate } from '../database/data-source';
import { quoteSchema } from '../database/schema-name';
import { ProjectionApplier } from '../projection/projection.applier';
import { endOffsets, LogConsumer } from '../projection/log.consumer';

export interface ReplayOptions {
  kafkaBrokers: string[];
  databaseUrl: string;
  /** Must not exist yet (or be empty): a replay never mixes with an older projection. */
  schema: string;
  logTopic: string;
  chunk: number;
  progress: (line: string) => void;
  progressEveryMs?: number;
  /** Fails when no progress is made for this long. */
  stallTimeoutMs?: number;
}

export interface ReplaySummary {
  events: number;
  skipped: number;
  rows: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * Rebuilds the projection from offset 0 of the log into a fresh schema, up to the end offsets of
 * the moment it starts. It sends no email and publishes nothing: emails a live run would send are
 * recorded as `suppressed`.
 */
export async function runReplay(o: ReplayOptions): Promise<ReplaySummary> {
  const db = new Client({ connectionString: o.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`,
      [o.schema],
    );
    if (rows[0].n > 0)
      throw new Error(`schema ${quoteSchema(o.schema)} already has tables; replay needs a fresh schema`);
  } finally {
    await db.end();
  }
  await migrate({ databaseUrl: o.databaseUrl, schema: o.schema });
  const ds = await createDataSource({
    databaseUrl: o.databaseUrl,
    schema: o.schema,
    poolSize: 2,
  }).initialize();
  const kafka = createKafka({ brokers: o.kafkaBrokers, clientId: `replay-${o.schema}` });
  const groupId = `callbacks-replay-${o.schema}-${randomUUID()}`;
  const started = Date.now();
  const totals = { events: 0, skipped: 0, rows: 0 };
  let lastProgressAt = Date.now();
  const ends = await endOffsets(kafka, o.logTopic);
  const total = [...ends.values()].reduce((a, b) => a + b, 0n);
  const consumer = new LogConsumer(
    kafka,
    new ProjectionApplier(ds, o.schema, o.logTopic, { mode: 'replay' }),
    {
      topic: o.logTopic,
      groupId,
      chunk: o.chunk,
      checkpoints: new Map(),
      onApplied: (_p, r) => {
        totals.events += r.applied;
        totals.skipped += r.skipped;
        totals.rows += r.rows;
        lastProgressAt = Date.now();
      },
    },
  );
  const rate = () => totals.events / Math.max(0.001, (Date.now() - started) / 1000);
  const report = () =>
    o.progress(
      `replay ${o.schema}: ${totals.events + totals.skipped}/${total} records, ${totals.rows} rows, ${Math.round(rate())} events/s`,
    );
  const timer = setInterval(report, o.progressEveryMs ?? 2_000);
  try {
    await consumer.start();
    while (!consumer.caughtUp(ends)) {
      if (Date.now() - lastProgressAt > (o.stallTimeoutMs ?? 60_000))
        throw new Error('replay made no progress for too long');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    clearInterval(timer);
    await consumer.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
    await ds.destroy();
  }
  report();
  const seconds = (Date.now() - started) / 1000;
  return { ...totals, seconds, eventsPerSecond: totals.events / Math.max(0.001, seconds) };
}
