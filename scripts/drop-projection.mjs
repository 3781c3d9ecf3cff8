#!/usr/bin/env node
// Drops the local projection schema (DB_SCHEMA, default `callbacks`), e.g. after
// `npm run kafka -- reset`: the projection was built from the log just deleted, and the projector
// refuses to start on a new log with it (docs/projector.md, "Log identity").
// The database is the one `npm start` uses: DATABASE_URL, else the server on 127.0.0.1:5432,
// else the embedded one (which answers only while `npm start` runs).
import pg from 'pg';

const schema = process.env.DB_SCHEMA ?? 'callbacks';
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
  process.stderr.write(`[projection] DB_SCHEMA must be a lower-case SQL identifier, got "${schema}"\n`);
  process.exit(64);
}
const candidates = process.env.DATABASE_URL
  ? [process.env.DATABASE_URL]
  : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://postgres:postgres@127.0.0.1:54329/callbacks'];

for (const url of candidates) {
  const db = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await db.connect();
  } catch {
    continue;
  }
  try {
    const where = url.replace(/:[^:@/]+@/, ':***@');
    const { rows } = await db.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
      schema,
    ]);
    if (rows.length === 0) {
      process.stdout.write(`[projection] no schema "${schema}" in ${where}: nothing to drop\n`);
    } else {
      await db.query(`DROP SCHEMA "${schema}" CASCADE`);
      process.stdout.write(
        `[projection] dropped schema "${schema}" in ${where}; the next start builds it from the new log\n`,
      );
    }
    process.exit(0);
  } finally {
    await db.end().catch(() => undefined);
  }
}
process.stderr.write(
  '[projection] no PostgreSQL answered (the embedded one runs only while `npm start` runs). ' +
    'Start the stack once with ON_LOG_MISMATCH=rebuild instead, or set DATABASE_URL and run this again.\n',
);
process.exit(1);
