import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { dropSchemas, withDb } from './projector/projector.fixtures';
import { databaseUrl, uniqueName } from './support/environment';

const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, '..', 'scripts', 'kafka.sh');

/**
 * `kafka.sh reset` deletes the log the local projection was built from: it says so, and drops the
 * projection when asked. Its own KAFKA_HOME, so the shared broker is never touched (no broker
 * runs there; reset only deletes that directory).
 */
describe('kafka.sh reset and the projection', () => {
  let home: string;
  const schema = uniqueName('reset');

  beforeAll(async () => {
    home = await mkdtemp(path.join(path.resolve(__dirname, '..', '.local'), 'reset-'));
    await withDb((db) => db.query(`CREATE SCHEMA "${schema}"`));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
    await dropSchemas(schema);
  });

  const reset = (...args: string[]) =>
    run('bash', [SCRIPT, 'reset', ...args], {
      env: { ...process.env, KAFKA_HOME: home, DB_SCHEMA: schema, DATABASE_URL: databaseUrl() },
      timeout: 30_000,
    });
  const exists = () =>
    withDb(async (db) => {
      const { rows } = await db.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
        schema,
      ]);
      return rows.length === 1;
    });

  it('explains what happens to the projection and keeps it when not asked (no terminal)', async () => {
    const { stderr } = await reset();
    expect(stderr).toContain(`projection (schema ${schema}) was built from the log just deleted`);
    expect(stderr).toContain('refuses to start');
    expect(stderr).toContain('ON_LOG_MISMATCH=rebuild');
    expect(await exists()).toBe(true);
  });

  it('drops the projection schema with --drop-projection', async () => {
    const { stdout } = await reset('--drop-projection');
    expect(stdout).toContain(`dropped schema "${schema}"`);
    expect(await exists()).toBe(false);
  });

  it('refuses an unknown option before deleting anything', async () => {
    const marker = path.join(home, 'data', 'kept');
    await mkdir(path.dirname(marker), { recursive: true });
    await writeFile(marker, '');
    await expect(reset('--bogus')).rejects.toMatchObject({ code: 2 });
    await expect(access(marker)).resolves.toBeUndefined();
  });
});
