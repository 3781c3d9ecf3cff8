import type { QueryRunner } from 'typeorm';
import { quoteSchema } from '../database/schema-name';
import type { ProjectionChanges, ProjectionState } from './projection.evolve';
import type { ParkedRow } from './projection.rows';
import { TABLES, type TableSpec } from './projection.tables';
import { storableParam } from './storable.param';

/** Postgres accepts at most 65535 bind parameters per statement; stay well below. */
const MAX_PARAMS = 30_000;

/**
 * Reads and writes projection rows with multi-row statements inside the caller's transaction.
 * Every value written goes through `storableParam`: whatever a producer or a receiver put in an
 * event, a row can always be written (no U+0000, no lone surrogate), so no field of any event,
 * present or future, can stop the projection.
 */
export class ProjectionStore {
  private readonly s: string;

  constructor(schema: string) {
    this.s = quoteSchema(schema);
  }

  /** Locks (and creates) the checkpoint of one partition; returns the next offset to apply. */
  async lockCheckpoint(qr: QueryRunner, topic: string, partition: number): Promise<bigint> {
    await qr.query(
      `INSERT INTO ${this.s}.checkpoints (topic, partition, next_offset, events_applied, events_skipped)
       VALUES ($1, $2, 0, 0, 0) ON CONFLICT DO NOTHING`,
      [topic, partition],
    );
    const rows: { next_offset: string }[] = await qr.query(
      `SELECT next_offset FROM ${this.s}.checkpoints WHERE topic = $1 AND partition = $2 FOR UPDATE`,
      [topic, partition],
    );
    return BigInt(rows[0].next_offset);
  }

  async saveCheckpoint(
    qr: QueryRunner,
    topic: string,
    partition: number,
    nextOffset: bigint,
    applied: number,
    skipped: number,
  ): Promise<void> {
    await qr.query(
      `UPDATE ${this.s}.checkpoints SET next_offset = $3, events_applied = events_applied + $4,
         events_skipped = events_skipped + $5, updated_at = now() WHERE topic = $1 AND partition = $2`,
      [topic, partition, nextOffset.toString(), applied, skipped],
    );
  }

  async load(
    qr: QueryRunner,
    keys: { communicationIds: Set<string>; messageIds: Set<string>; batchIds: Set<string> },
  ): Promise<Omit<ProjectionState, 'callbacks'>> {
    return {
      communications: await this.loadTable(qr, TABLES.communications, keys.communicationIds),
      messages: await this.loadTable(qr, TABLES.messages, keys.messageIds),
      batches: await this.loadTable(qr, TABLES.batches, keys.batchIds),
    };
  }

  loadCallbacks(qr: QueryRunner, ids: Set<string>): Promise<ProjectionState['callbacks']> {
    return this.loadTable(qr, TABLES.callbacks, ids);
  }

  /** Writes all changes; returns the number of rows written (inserted or updated). */
  async write(qr: QueryRunner, c: ProjectionChanges): Promise<number> {
    let rows = 0;
    rows += await this.upsert(qr, TABLES.communications, [...c.communications.values()]);
    rows += await this.upsert(qr, TABLES.messages, [...c.messages.values()]);
    rows += await this.upsert(qr, TABLES.batches, [...c.batches.values()]);
    rows += await this.upsert(qr, TABLES.batchMembers, [...c.batchMembers.values()]);
    rows += await this.upsert(qr, TABLES.callbacks, [...c.callbacks.values()]);
    rows += await this.upsert(qr, TABLES.attempts, c.attempts);
    rows += await this.upsert(qr, TABLES.deliveryStatuses, c.deliveryStatuses);
    rows += await this.upsert(qr, TABLES.outboxEvents, c.outboxEvents);
    rows += await this.upsert(qr, TABLES.emails, c.emails);
    if (c.published.length > 0) {
      // Outbox rows whose event is now on the log: the relay never publishes them again.
      const res: unknown[] = await qr.query(
        `UPDATE ${this.s}.outbox_events o SET published_partition = p.partition, published_offset = p.off
           FROM unnest($1::uuid[], $2::int[], $3::bigint[]) AS p(event_id, partition, off)
          WHERE o.event_id = p.event_id AND o.published_offset IS NULL RETURNING o.event_id`,
        [
          c.published.map((p) => p.eventId),
          c.published.map((p) => p.partition),
          c.published.map((p) => p.offset),
        ],
      );
      rows += res.length;
    }
    return rows;
  }

  /** Records parked rows (append-only: parking the same record again writes nothing). */
  async writeParked(qr: QueryRunner, rows: ParkedRow[]): Promise<number> {
    return this.upsert(qr, TABLES.parked, rows);
  }

  private async loadTable<R>(qr: QueryRunner, spec: TableSpec, ids: Set<string>): Promise<Map<string, R>> {
    const out = new Map<string, R>();
    if (ids.size === 0) return out;
    const keyField = spec.key[0];
    const keyType = spec.types[keyField] ?? 'text';
    const rows: Record<string, unknown>[] = await qr.query(
      `SELECT * FROM ${this.s}.${spec.table} WHERE ${spec.columns[keyField]} = ANY($1::${keyType}[])`,
      [[...ids]],
    );
    for (const row of rows) {
      const obj: Record<string, unknown> = {};
      for (const [field, column] of Object.entries(spec.columns)) {
        const v = row[column];
        obj[field] = v instanceof Date ? v.toISOString() : v;
      }
      out.set(String(obj[keyField]), obj as R);
    }
    return out;
  }

  private async upsert(qr: QueryRunner, spec: TableSpec, rows: object[]): Promise<number> {
    if (rows.length === 0) return 0;
    const fields = Object.keys(spec.columns);
    const columns = fields.map((f) => spec.columns[f]);
    const perStatement = Math.max(1, Math.floor(MAX_PARAMS / fields.length));
    const conflict =
      spec.onConflict === 'nothing'
        ? 'DO NOTHING'
        : `DO UPDATE SET ${columns
            .filter((_, i) => !spec.key.includes(fields[i]))
            .map((c) => `${c} = EXCLUDED.${c}`)
            .join(', ')}`;
    let written = 0;
    for (let start = 0; start < rows.length; start += perStatement) {
      const slice = rows.slice(start, start + perStatement) as Record<string, unknown>[];
      const params: unknown[] = [];
      const tuples = slice.map((row) => {
        const cells = fields.map((f) => {
          params.push(storableParam(row[f], spec.json.includes(f)));
          const type = spec.types[f];
          return type ? `$${params.length}::${type}` : `$${params.length}`;
        });
        return `(${cells.join(', ')})`;
      });
      const keyColumns = spec.key.map((k) => spec.columns[k]).join(', ');
      const res: unknown[] = await qr.query(
        `INSERT INTO ${this.s}.${spec.table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}
         ON CONFLICT (${keyColumns}) ${conflict} RETURNING 1`,
        params,
      );
      written += res.length;
    }
    return written;
  }
}

/** Next offset per partition of a topic, as the projection's checkpoints say. */
export async function readCheckpoints(
  query: (sql: string, params: unknown[]) => Promise<{ partition: number; next_offset: string }[]>,
  schema: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const rows = await query(
    `SELECT partition, next_offset FROM ${quoteSchema(schema)}.checkpoints WHERE topic = $1`,
    [topic],
  );
  return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
}
