import type { Client } from 'pg';
import { quoteSchema } from '../database/schema.name';

/**
 * Tables compared by verify, their keys, and the columns that legitimately differ between a live
 * projection and a replay (delivery bookkeeping, wall-clock times); every other column is a pure
 * function of the log.
 */
export const VERIFY_TABLES: { table: string; key: string[]; ignore: string[]; where?: string }[] = [
  { table: 'communications', key: ['communication_id'], ignore: [] },
  { table: 'messages', key: ['message_id'], ignore: [] },
  { table: 'batches', key: ['batch_id'], ignore: [] },
  { table: 'batch_members', key: ['batch_id', 'message_id'], ignore: [] },
  { table: 'callbacks', key: ['callback_id'], ignore: [] },
  { table: 'attempts', key: ['event_id'], ignore: [] },
  { table: 'delivery_statuses', key: ['event_id'], ignore: [] },
  // Parking by the relay is delivery bookkeeping of the live projection (a replay never publishes).
  { table: 'outbox_events', key: ['event_id'], ignore: ['parked_at', 'parked_reason'] },
  {
    table: 'notification_emails',
    key: ['email_id'],
    ignore: [
      'status',
      'attempts',
      'next_attempt_at',
      'last_error',
      'sent_at',
      'reported_failed',
      'reported_cancelled',
    ],
    // Follow-up digests are the mail worker's, sent by the clock (decision 0622): never in a replay.
    where: "kind = 'disabled'",
  },
  { table: 'trigger_events', key: ['event_id'], ignore: [] },
  // The worker's own progress (sent cursor, finished) is bookkeeping; the rest comes from the log.
  {
    table: 'recoveries',
    key: ['recovery_id'],
    ignore: ['sent_created_at', 'sent_callback_id', 'finished_at'],
  },
  { table: 'checkpoints', key: ['topic', 'partition'], ignore: ['updated_at'] },
  // Log records the projection parked are a function of the log; when and the error text are not.
  {
    table: 'parked_records',
    key: ['parked_id'],
    ignore: ['parked_at', 'reason'],
    where: "consumer = 'projector'",
  },
];

export interface TableComparison {
  table: string;
  rows: [number, number];
  checksums: [string, string];
  /** Up to `maxDifferences` keys: `only in <schema>` or `differs`. */
  differences: string[];
}

/** Compares two projection schemas in the same database table by table. */
export async function compareSchemas(
  db: Client,
  left: string,
  right: string,
  maxDifferences = 20,
): Promise<TableComparison[]> {
  const out: TableComparison[] = [];
  for (const spec of VERIFY_TABLES) {
    const { rows: cols } = await db.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [left, spec.table],
    );
    const columns = cols
      .map((c: { column_name: string }) => c.column_name)
      .filter((c: string) => !spec.ignore.includes(c));
    const keyExpr = spec.key.join(` || '/' || `);
    const hashExpr = `md5(ROW(${columns.join(', ')})::text)`;
    const where = spec.where ? ` WHERE ${spec.where}` : '';
    const summary = async (schema: string) => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n, coalesce(md5(string_agg(${hashExpr}, '' ORDER BY ${spec.key.join(', ')})), '') AS sum
           FROM ${quoteSchema(schema)}.${spec.table}${where}`,
      );
      return rows[0] as { n: number; sum: string };
    };
    const [a, b] = [await summary(left), await summary(right)];
    const cmp: TableComparison = {
      table: spec.table,
      rows: [a.n, b.n],
      checksums: [a.sum, b.sum],
      differences: [],
    };
    if (a.sum !== b.sum || a.n !== b.n) {
      const hashes = async (schema: string) => {
        const { rows } = await db.query(
          `SELECT (${keyExpr})::text AS k, ${hashExpr} AS h FROM ${quoteSchema(schema)}.${spec.table}${where}`,
        );
        return new Map(rows.map((r: { k: string; h: string }) => [r.k, r.h]));
      };
      const [ha, hb] = [await hashes(left), await hashes(right)];
      for (const [k, h] of ha) {
        if (!hb.has(k)) cmp.differences.push(`${spec.table} ${k}: only in ${left}`);
        else if (hb.get(k) !== h) cmp.differences.push(`${spec.table} ${k}: differs`);
      }
      for (const k of hb.keys()) if (!ha.has(k)) cmp.differences.push(`${spec.table} ${k}: only in ${right}`);
      cmp.differences.sort();
      if (cmp.differences.length > maxDifferences) {
        const more = cmp.differences.length - maxDifferences;
        cmp.differences = [
          ...cmp.differences.slice(0, maxDifferences),
          `${spec.table}: ... and ${more} more`,
        ];
      }
    }
    out.push(cmp);
  }
  return out;
}

export interface ParkedSummary {
  consumer: string;
  code: string;
  where: string;
  eventId: string | null;
  reason: string;
}

/** Every record parked in a projection schema, oldest first (printed by verify and audit). */
export async function parkedIn(
  db: Pick<Client, 'query'>,
  schema: string,
  filter: { communicationId?: string; eventIds?: string[] } = {},
): Promise<ParkedSummary[]> {
  const { rows } = await db.query(
    `SELECT consumer, code, source_topic, source_partition, source_offset::text AS source_offset,
            event_id::text AS event_id, reason
       FROM ${quoteSchema(schema)}.parked_records
      WHERE ($1::text IS NULL OR communication_id = $1) AND ($2::text[] IS NULL OR event_id::text = ANY($2))
      ORDER BY parked_at, parked_id`,
    [filter.communicationId ?? null, filter.eventIds ?? null],
  );
  return rows.map(
    (r: {
      consumer: string;
      code: string;
      source_topic: string | null;
      source_partition: number | null;
      source_offset: string | null;
      event_id: string | null;
      reason: string;
    }) => ({
      consumer: r.consumer,
      code: r.code,
      where:
        r.source_topic === null ? 'outbox' : `${r.source_topic}[${r.source_partition}]@${r.source_offset}`,
      eventId: r.event_id,
      reason: r.reason,
    }),
  );
}
