/**
 * The raw limit of a replay on this machine (issue 14, row 2): read the whole log with a plain
 * kafkajs consumer and decode every record once, then `COPY` the rows the replay produced into a
 * freshly migrated schema (same tables, same indexes). No projection logic, no upserts, no
 * transactions per chunk: what a replay cannot beat, measured in the same run as the replay.
 *
 * The rows are taken from the replayed schema beforehand (`COPY … TO STDOUT`, not timed), so the
 * raw run writes exactly as many rows and bytes as the replay did.
 */
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { decodeEvent } from '@app/contracts';
import { migrate } from '../../apps/projector/src/database/data-source.factory';
import { TABLES } from '../../apps/projector/src/projection/projection.tables';
import { benchKafka, databaseUrl } from './bench.env';

export interface RawReplay {
  events: number;
  rows: number;
  readSeconds: number;
  copySeconds: number;
}

/**
 * Every projected table's rows, in COPY's text format: the projected columns the replayed schema
 * has (a baseline build may predate some of them, or whole tables; the fresh schema leaves those
 * null or empty).
 */
async function exportRows(
  db: Client,
  schema: string,
): Promise<{ table: string; cols: string; data: Buffer }[]> {
  const out: { table: string; cols: string; data: Buffer }[] = [];
  for (const spec of Object.values(TABLES)) {
    const existing = await db.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
      [schema, spec.table],
    );
    const present = new Set(existing.rows.map((r) => r.name));
    const cols = Object.values(spec.columns)
      .filter((c) => present.has(c))
      .join(', ');
    if (cols === '') continue; // a table the baseline does not have
    const chunks: Buffer[] = [];
    const stream = db.query(copyTo(`COPY "${schema}".${spec.table} (${cols}) TO STDOUT`));
    for await (const c of stream) chunks.push(c as Buffer);
    out.push({ table: spec.table, cols, data: Buffer.concat(chunks) });
  }
  return out;
}

/** Reads `topic` from its start to its end offsets now, decoding each record once. */
async function readLog(topic: string): Promise<number> {
  const kafka = benchKafka(`bench-raw-replay-${randomUUID()}`);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `bench-raw-replay-${randomUUID()}`;
  const offsets = await admin.fetchTopicOffsets(topic);
  const ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const positions = new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 250,
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxBytes: 8 * 1024 * 1024,
  });
  let events = 0;
  let invalid = 0;
  const done = () => [...ends].every(([p, end]) => (positions.get(p) ?? 0n) >= end);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (decodeEvent(m.value, 'stored').ok) events += 1;
          else invalid += 1;
        }
        positions.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
        if (done()) finish();
      },
    });
    const deadline = setTimeout(() => finish(), 30 * 60_000);
    await finished;
    clearTimeout(deadline);
    if (!done()) throw new Error('raw read did not reach the end of the log in 30 minutes');
    if (invalid > 0) throw new Error(`${invalid} records of the log did not decode`);
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return events;
}

/**
 * Measures reading `topic` plus COPYing the rows of `replayedSchema` into `freshSchema` (migrated
 * here, before the clock starts).
 */
export async function rawReadAndCopy(
  topic: string,
  replayedSchema: string,
  freshSchema: string,
): Promise<RawReplay> {
  const db = new Client({ connectionString: databaseUrl() });
  await db.connect();
  try {
    const tables = await exportRows(db, replayedSchema);
    await migrate({ databaseUrl: databaseUrl(), schema: freshSchema });
    const rows = await rowCount(
      db,
      replayedSchema,
      tables.map((t) => t.table),
    );

    const readStarted = Date.now();
    const events = await readLog(topic);
    const readSeconds = (Date.now() - readStarted) / 1000;

    const copyStarted = Date.now();
    await db.query('BEGIN');
    for (const t of tables) {
      if (t.data.length === 0) continue;
      await pipeline(
        Readable.from([t.data]),
        db.query(copyFrom(`COPY "${freshSchema}".${t.table} (${t.cols}) FROM STDIN`)),
      );
    }
    await db.query('COMMIT');
    const copySeconds = (Date.now() - copyStarted) / 1000;
    return { events, rows, readSeconds, copySeconds };
  } finally {
    await db.end();
  }
}

async function rowCount(db: Client, schema: string, tables: string[]): Promise<number> {
  let n = 0;
  for (const table of tables) {
    const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".${table}`);
    n += Number(r.rows[0].n);
  }
  return n;
}
