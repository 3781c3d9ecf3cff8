import { DataSource, type QueryRunner } from 'typeorm';
import { runPrepared } from '../../apps/projector/src/database/prepared.query';
import { switchSchema } from '../../apps/projector/src/database/schema.switch';
import { databaseUrl, uniqueName } from '../support/environment';
import { dropSchemas, withDb } from './projector.fixtures';

/**
 * The projection's statements are prepared once per connection (issue 14). A prepared statement
 * must keep writing where the same text run unprepared would: into the schema that carries the
 * name now (a rebuild renames schemas under running projectors), and through a migration that
 * adds a column.
 */
describe('prepared projection statements', () => {
  const live = uniqueName('prep_live');
  const next = uniqueName('prep_next');
  const archive = uniqueName('prep_archive');
  let ds: DataSource;
  let qr: QueryRunner;

  const insert = (keys: number[], value: string) =>
    runPrepared(
      qr,
      `INSERT INTO "${live}".t (k, v) SELECT * FROM unnest($1::int[], $2::text[]) ON CONFLICT (k) DO NOTHING`,
      [keys, keys.map(() => value)],
    );
  const read = (keys: number[]) =>
    runPrepared<{ k: number; v: string }>(
      qr,
      `SELECT k, v FROM "${live}".t WHERE k = ANY($1::int[]) ORDER BY k`,
      [keys],
    );
  const rowsOf = (schema: string) =>
    withDb(async (db) => (await db.query(`SELECT k, v FROM "${schema}".t ORDER BY k`)).rows);

  beforeAll(async () => {
    await withDb(async (db) => {
      for (const s of [live, next])
        await db.query(`CREATE SCHEMA "${s}"; CREATE TABLE "${s}".t (k int PRIMARY KEY, v text)`);
    });
    // One connection, so every statement below runs on the connection that prepared it.
    ds = new DataSource({ type: 'postgres', url: databaseUrl(), extra: { max: 1 } });
    await ds.initialize();
    qr = ds.createQueryRunner();
  });
  afterAll(async () => {
    await qr?.release();
    await ds?.destroy();
    await dropSchemas(live, next, archive);
  });

  it('counts the rows a statement wrote and returns the rows it read', async () => {
    expect((await insert([1, 2], 'a')).affected).toBe(2);
    // Past Postgres's five custom plans, so the generic plan is the one in use.
    for (let i = 0; i < 6; i++) expect((await insert([1, 2, 3], 'b')).affected).toBe(i === 0 ? 1 : 0);
    expect((await read([1, 3, 9])).rows).toEqual([
      { k: 1, v: 'a' },
      { k: 3, v: 'b' },
    ]);
  });

  it('reads on through a migration that adds a column', async () => {
    await withDb((db) => db.query(`ALTER TABLE "${live}".t ADD COLUMN extra text`));
    expect((await read([1])).rows).toEqual([{ k: 1, v: 'a' }]);
  });

  it('writes into the schema that carries the name after a rebuild switched schemas', async () => {
    await switchSchema(databaseUrl(), { live, next, archive });
    expect((await insert([7], 'after switch')).affected).toBe(1);
    expect(await rowsOf(live)).toEqual([{ k: 7, v: 'after switch' }]);
    expect((await rowsOf(archive)).map((r) => r.k)).toEqual([1, 2, 3]);
  });
});
