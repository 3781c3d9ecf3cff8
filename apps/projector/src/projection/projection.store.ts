import { describeLog, type LogIdentity } from '@app/platform';
import type { QueryRunner } from 'typeorm';
import { runPrepared } from '../database/prepared.query';
import { quoteSchema } from '../database/schema.name';
import { fieldValue } from './column.types';
import { LogMismatchError, type CheckpointRow } from './log.check';
import type { ProjectionChanges, ProjectionState } from './projection.evolve';
import type { ParkedRow } from './projection.schema';
import { TABLES, type TableSpec } from './projection.tables';
import { storableParam } from './storable.param';

/** Rows per statement: bounds one statement's parameter size, not its count (one per column). */
const ROWS_PER_STATEMENT = 5_000;

/**
 * Reads and writes projection rows with one statement per table inside the caller's transaction,
 * each a prepared statement (`runPrepared`): the texts depend only on the schema and the table.
 * Every value written goes through `storableParam`: whatever a producer or a receiver put in an
 * event, a row can always be written (no U+0000, no lone surrogate), so no field of any event,
 * present or future, can stop the projection.
 */
export class ProjectionStore {
  private readonly s: string;
  /** The upsert statement of each table, built once. */
  private readonly statements = new Map<string, string>();

  constructor(schema: string) {
    this.s = quoteSchema(schema);
  }

  /**
   * Locks (and creates) the checkpoint of one partition; returns the next offset to apply. The
   * checkpoint names the log it counts (decision 0641): a checkpoint of another log is never
   * advanced, and one written before identities were recorded takes this log's.
   */
  async lockCheckpoint(qr: QueryRunner, log: LogIdentity, partition: number): Promise<bigint> {
    const select = () =>
      runPrepared<{ next_offset: string; cluster_id: string | null; topic_id: string | null }>(
        qr,
        `SELECT next_offset, cluster_id, topic_id FROM ${this.s}.checkpoints WHERE topic = $1 AND partition = $2 FOR UPDATE`,
        [log.topic, partition],
      );
    // The row exists after a partition's first chunk: one statement then, not two.
    let { rows } = await select();
    if (rows.length === 0) {
      await runPrepared(
        qr,
        `INSERT INTO ${this.s}.checkpoints (topic, partition, next_offset, events_applied, events_skipped, cluster_id, topic_id)
         VALUES ($1, $2, 0, 0, 0, $3, $4) ON CONFLICT DO NOTHING`,
        [log.topic, partition, log.clusterId, log.topicId],
      );
      ({ rows } = await select());
    }
    const row = rows[0];
    if (row.cluster_id === null || row.topic_id === null) {
      await qr.query(
        `UPDATE ${this.s}.checkpoints SET cluster_id = $3, topic_id = $4 WHERE topic = $1 AND partition = $2`,
        [log.topic, partition, log.clusterId, log.topicId],
      );
    } else if (row.cluster_id !== log.clusterId || row.topic_id !== log.topicId) {
      throw new LogMismatchError(
        `checkpoint ${log.topic}/${partition} counts offsets of cluster ${row.cluster_id}, topic id ` +
          `${row.topic_id}, not of ${describeLog(log)}; nothing applied`,
      );
    }
    return BigInt(row.next_offset);
  }

  async saveCheckpoint(
    qr: QueryRunner,
    topic: string,
    partition: number,
    nextOffset: bigint,
    applied: number,
    skipped: number,
  ): Promise<void> {
    await runPrepared(
      qr,
      `UPDATE ${this.s}.checkpoints SET next_offset = $3, events_applied = events_applied + $4,
         events_skipped = events_skipped + $5, updated_at = now() WHERE topic = $1 AND partition = $2`,
      [topic, partition, nextOffset.toString(), applied, skipped],
    );
  }

  async load(
    qr: QueryRunner,
    keys: {
      communicationIds: Set<string>;
      messageIds: Set<string>;
      batchIds: Set<string>;
      recoveryIds: Set<string>;
    },
  ): Promise<Omit<ProjectionState, 'callbacks'>> {
    return {
      communications: await this.loadTable(qr, TABLES.communications, keys.communicationIds),
      messages: await this.loadTable(qr, TABLES.messages, keys.messageIds),
      batches: await this.loadTable(qr, TABLES.batches, keys.batchIds),
      recoveries: await this.loadTable(qr, TABLES.recoveries, keys.recoveryIds),
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
    rows += await this.upsert(qr, TABLES.triggerEvents, c.triggerEvents);
    rows += await this.upsert(qr, TABLES.recoveries, [...c.recoveries.values()]);
    if (c.published.length > 0) {
      // Outbox rows whose event is now on the log: the relay never publishes them again.
      const { affected } = await runPrepared(
        qr,
        `UPDATE ${this.s}.outbox_events o SET published_partition = p.partition, published_offset = p.off
           FROM unnest($1::uuid[], $2::int[], $3::bigint[]) AS p(event_id, partition, off)
          WHERE o.event_id = p.event_id AND o.published_offset IS NULL`,
        [
          c.published.map((p) => p.eventId),
          c.published.map((p) => p.partition),
          c.published.map((p) => p.offset),
        ],
      );
      rows += affected;
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
    const { rows } = await runPrepared(
      qr,
      `SELECT ${Object.values(spec.columns).join(', ')} FROM ${this.s}.${spec.table}
        WHERE ${spec.columns[keyField]} = ANY($1::${keyType}[])`,
      [[...ids]],
    );
    for (const row of rows) {
      const obj: Record<string, unknown> = {};
      for (const [field, column] of Object.entries(spec.columns)) {
        obj[field] = fieldValue(row[column]);
      }
      out.set(String(obj[keyField]), obj as R);
    }
    return out;
  }

  /**
   * One statement per table and chunk: every column travels as ONE array parameter and `unnest`
   * turns the arrays back into rows (issue 14). Against a multi-row VALUES list with a parameter
   * per cell, Postgres parses and plans a short, constant statement instead of one growing with the
   * rows; the values and their casts are the same, so the rows written are the same bytes.
   */
  private async upsert(qr: QueryRunner, spec: TableSpec, rows: object[]): Promise<number> {
    if (rows.length === 0) return 0;
    let sql = this.statements.get(spec.table);
    if (sql === undefined) {
      sql = this.upsertSql(spec);
      this.statements.set(spec.table, sql);
    }
    const fields = Object.keys(spec.columns);
    let written = 0;
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const slice = rows.slice(start, start + ROWS_PER_STATEMENT) as Record<string, unknown>[];
      const params = fields.map((f) => {
        const json = spec.json.includes(f);
        return slice.map((row) => storableParam(row[f], json));
      });
      written += (await runPrepared(qr, sql, params)).affected;
    }
    return written;
  }

  private upsertSql(spec: TableSpec): string {
    const fields = Object.keys(spec.columns);
    const columns = fields.map((f) => spec.columns[f]);
    const conflict =
      spec.onConflict === 'nothing'
        ? 'DO NOTHING'
        : `DO UPDATE SET ${columns
            .filter((_, i) => !spec.key.includes(fields[i]))
            .map((c) => `${c} = EXCLUDED.${c}`)
            .join(', ')}`;
    const arrays = fields.map((f, i) => `$${i + 1}::${spec.types[f] ?? 'text'}[]`).join(', ');
    const keyColumns = spec.key.map((k) => spec.columns[k]).join(', ');
    return `INSERT INTO ${this.s}.${spec.table} (${columns.join(', ')}) SELECT * FROM unnest(${arrays})
         ON CONFLICT (${keyColumns}) ${conflict}`;
  }
}

/** The checkpoints of one topic, with the log identity each records. */
export async function readCheckpointRows(
  query: (sql: string, params: unknown[]) => Promise<unknown[]>,
  schema: string,
  topic: string,
): Promise<CheckpointRow[]> {
  const rows = (await query(
    `SELECT partition, next_offset, cluster_id, topic_id FROM ${quoteSchema(schema)}.checkpoints
      WHERE topic = $1 ORDER BY partition`,
    [topic],
  )) as { partition: number; next_offset: string; cluster_id: string | null; topic_id: string | null }[];
  return rows.map((r) => ({
    partition: r.partition,
    nextOffset: BigInt(r.next_offset),
    clusterId: r.cluster_id,
    topicId: r.topic_id,
  }));
}

/** Records the log's identity on checkpoints written before identities were (migration 0641). */
export async function recordLogIdentity(
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  schema: string,
  log: LogIdentity,
): Promise<void> {
  await query(
    `UPDATE ${quoteSchema(schema)}.checkpoints SET cluster_id = $2, topic_id = $3
      WHERE topic = $1 AND (cluster_id IS NULL OR topic_id IS NULL)`,
    [log.topic, log.clusterId, log.topicId],
  );
}
