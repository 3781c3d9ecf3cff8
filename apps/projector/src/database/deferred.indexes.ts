import type { Client } from 'pg';
import { quoteSchema } from './schema.name';

/**
 * The secondary indexes of a schema: neither a primary key, nor unique, nor backing a constraint.
 * The projection never reads through them (it loads rows by primary key), so a replay into a fresh
 * schema drops them before loading and builds them once at the end (decision 0742): one sort per
 * index instead of one index insert per row. Returns their definitions, as Postgres prints them.
 */
export async function dropSecondaryIndexes(db: Client, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string; definition: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND NOT i.indisprimary AND NOT i.indisunique
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
      ORDER BY c.relname`,
    [schema],
  );
  await db.query('BEGIN');
  try {
    for (const r of rows) await db.query(`DROP INDEX ${quoteSchema(schema)}."${r.name}"`);
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK');
    throw e;
  }
  return rows.map((r) => r.definition);
}

/** Builds the indexes `dropSecondaryIndexes` returned, in one transaction. */
export async function createIndexes(db: Client, definitions: string[]): Promise<void> {
  await db.query('BEGIN');
  try {
    for (const d of definitions) await db.query(d);
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK');
    throw e;
  }
}
