import { Client } from 'pg';
import { quoteSchema } from './schema.name';

/** How often a waiting instance tries the rebuild lock again. */
const LOCK_POLL_MS = 250;

/** The advisory lock's key (Postgres hashes it to a lock id). */
export const rebuildLockKey = (schema: string): string => `dispatch-callbacks rebuild ${schema}`;

/**
 * Runs `fn` holding the projection's rebuild lock (a session advisory lock keyed by the schema
 * name), so that of several projector instances seeing the same mismatch, one rebuilds and the
 * others wait and then find the schema rebuilt. Waiting ends early (null) when `stop()` says so.
 */
export async function withRebuildLock<T>(
  databaseUrl: string,
  schema: string,
  fn: () => Promise<T>,
  stop: () => boolean = () => false,
): Promise<T | null> {
  const db = new Client({ connectionString: databaseUrl, application_name: `projector-rebuild:${schema}` });
  await db.connect();
  try {
    for (;;) {
      const { rows } = await db.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        rebuildLockKey(schema),
      ]);
      if (rows[0].locked) return await fn();
      if (stop()) return null;
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
  } finally {
    // Ending the session releases the lock.
    await db.end();
  }
}

/**
 * Makes `next` the projection named `live`, in one transaction: `live` becomes `archive`, then
 * `next` becomes `live`. Everything that reads the projection by name (read API, workers) sees
 * the new one from its next statement.
 */
export async function switchSchema(
  databaseUrl: string,
  names: { live: string; next: string; archive: string },
): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    await db.query(`ALTER SCHEMA ${quoteSchema(names.live)} RENAME TO ${quoteSchema(names.archive)}`);
    await db.query(`ALTER SCHEMA ${quoteSchema(names.next)} RENAME TO ${quoteSchema(names.live)}`);
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await db.end();
  }
}
