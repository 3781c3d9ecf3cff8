import {
  createKafka,
  describeLog,
  type KafkaSecurity,
  LogIdentityReader,
  sameLog,
  type LogIdentity,
} from '@app/platform';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource, migrate } from '../database/data-source.factory';
import { createIndexes, dropSecondaryIndexes } from '../database/deferred.indexes';
import { quoteSchema } from '../database/schema.name';
import { ProjectionApplier } from '../projection/projection.applier';
import { endOffsets, LogConsumer, type LogGuard } from '../projection/log.consumer';

export interface ReplayOptions {
  kafkaBrokers: string[];
  kafkaSecurity?: KafkaSecurity;
  databaseUrl: string;
  /** Must not exist yet (or be empty): a replay never mixes with an older projection. */
  schema: string;
  logTopic: string;
  chunk: number;
  progress: (line: string) => void;
  progressEveryMs?: number;
  /** Fails when no progress is made for this long. */
  stallTimeoutMs?: number;
  /** Polled while replaying: true ends the replay with an error (the projector is stopping). */
  shouldStop?: () => boolean;
  /** Drop the schema again when the replay fails (it was created by this replay). */
  dropOnFailure?: boolean;
}

export interface ReplaySummary {
  /** The log replayed; every batch was checked to come from it. */
  log: LogIdentity;
  events: number;
  skipped: number;
  rows: number;
  seconds: number;
  eventsPerSecond: number;
}

/** A fresh schema has no checkpoint to compare: only "the log is still the one we started on". */
class ReplayGuard implements LogGuard {
  constructor(
    readonly log: LogIdentity,
    private readonly reader: LogIdentityReader,
    private readonly schema: string,
  ) {}

  checkAssigned(): Promise<string | null> {
    return this.confirm();
  }

  async confirm(): Promise<string | null> {
    const now = await this.reader.read(this.log.topic);
    if (sameLog(now, this.log)) return null;
    return (
      `the log changed during the replay: it started on ${describeLog(this.log)}, the topic is now ` +
      `${describeLog(now)}; the replay stopped before applying anything of the new one, so schema ` +
      `${this.schema} is incomplete: drop it and replay again`
    );
  }
}

/**
 * Rebuilds the projection from offset 0 of the log into a fresh schema, up to the end offsets of
 * the moment it starts. It sends no email and publishes nothing: emails a live run would send are
 * recorded as `suppressed`. Its checkpoints record the log's identity, and every batch is checked
 * to still come from that log (decision 0641).
 */
export async function runReplay(o: ReplayOptions): Promise<ReplaySummary> {
  try {
    return await replay(o);
  } catch (e) {
    if (o.dropOnFailure) await dropSchema(o.databaseUrl, o.schema).catch(() => undefined);
    throw e;
  }
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  await withClient(databaseUrl, (db) => db.query(`DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`));
}

async function withClient<T>(databaseUrl: string, use: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}

async function replay(o: ReplayOptions): Promise<ReplaySummary> {
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
  const kafka = createKafka({
    brokers: o.kafkaBrokers,
    ...o.kafkaSecurity,
    clientId: `replay-${o.schema}`,
  });
  const reader = new LogIdentityReader(kafka);
  const log = await reader.read(o.logTopic).finally(() => reader.close());
  o.progress(`replay ${o.schema} from ${describeLog(log)}`);
  await migrate({ databaseUrl: o.databaseUrl, schema: o.schema });
  // Bulk load (decision 0742): nothing reads the schema until the replay is done, so its secondary
  // indexes are built once at the end, commits do not wait for the WAL flush (the synchronous
  // commit of the index build flushes them all), and every partition is applied at once.
  const indexes = await withClient(o.databaseUrl, (db) => dropSecondaryIndexes(db, o.schema));
  const ends = await endOffsets(kafka, o.logTopic);
  const ds = await createDataSource({
    databaseUrl: o.databaseUrl,
    schema: o.schema,
    poolSize: ends.size + 1,
    asyncCommit: true,
  }).initialize();
  const groupId = `callbacks-replay-${o.schema}-${randomUUID()}`;
  const started = Date.now();
  const totals = { events: 0, skipped: 0, rows: 0 };
  let lastProgressAt = Date.now();
  let refusal: string | undefined;
  const total = [...ends.values()].reduce((a, b) => a + b, 0n);
  const consumer = new LogConsumer(
    kafka,
    new ProjectionApplier(ds, o.schema, o.logTopic, { mode: 'replay' }),
    {
      topic: o.logTopic,
      groupId,
      chunk: o.chunk,
      partitionsAtOnce: ends.size,
      checkpoints: new Map(),
      newGroup: true,
      guard: new ReplayGuard(log, reader, o.schema),
      onMismatch: (report) => (refusal = report),
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
      if (refusal) throw new Error(refusal);
      if (o.shouldStop?.()) throw new Error('replay stopped before it reached the end of the log');
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
    await reader.close();
    await ds.destroy();
  }
  await withClient(o.databaseUrl, (db) => createIndexes(db, indexes));
  report();
  const seconds = (Date.now() - started) / 1000;
  return { log, ...totals, seconds, eventsPerSecond: totals.events / Math.max(0.001, seconds) };
}
