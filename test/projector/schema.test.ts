import {
  columnName,
  rowFrom,
  type AnyTableDefinition,
} from '../../apps/projector/src/projection/column.types';
import { SCHEMA, type AttemptRow } from '../../apps/projector/src/projection/projection.schema';
import { migrate } from '../../apps/projector/src/database/data-source.factory';
import { databaseUrl, uniqueName } from '../support/environment';
import { dropSchemas, withDb } from './projector.fixtures';

/**
 * The tables are defined once (`projection.schema.ts`) and created by explicit SQL migrations:
 * the migrated schema must be exactly the definition — same tables, columns, types, nullability
 * and keys — and a stored row reads back as the definition's row type (the read API, the console
 * and the workers read rows that way; there are no ORM entities).
 */
describe('projection schema', () => {
  const schema = uniqueName('schema');
  const definitions = Object.values(SCHEMA) as AnyTableDefinition[];
  beforeAll(() => migrate({ databaseUrl: databaseUrl(), schema }));
  afterAll(() => dropSchemas(schema));

  const expected = (d: AnyTableDefinition) =>
    Object.entries(d.columns)
      .map(([field, c]) => `${columnName(field)} ${c.type}${c.nullable ? ' null' : ''}`)
      .sort();

  it('has the tables, columns, types and nullability of the definition after every migration', async () => {
    const rows = await withDb(async (db) => {
      const r = await db.query<{
        table_name: string;
        column_name: string;
        udt_name: string;
        is_nullable: string;
      }>(
        `SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns
          WHERE table_schema = $1 AND table_name <> 'migrations'`,
        [schema],
      );
      return r.rows;
    });
    const pgName: Record<string, string> = { int4: 'integer', int8: 'bigint', uuid: 'uuid', text: 'text' };
    const actual = new Map<string, string[]>();
    for (const r of rows) {
      const type = pgName[r.udt_name] ?? r.udt_name;
      actual.set(r.table_name, [
        ...(actual.get(r.table_name) ?? []),
        `${r.column_name} ${type}${r.is_nullable === 'YES' ? ' null' : ''}`,
      ]);
    }
    expect([...actual.keys()].sort()).toEqual(definitions.map((d) => d.table).sort());
    for (const d of definitions)
      expect({ [d.table]: actual.get(d.table)?.sort() }).toEqual({ [d.table]: expected(d) });
  });

  it('has the primary key of the definition on every table', async () => {
    const rows = await withDb(async (db) => {
      const r = await db.query<{ table_name: string; columns: string[] }>(
        `SELECT tc.table_name, array_agg(k.column_name::text ORDER BY k.ordinal_position) AS columns
           FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage k
             ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
          WHERE tc.table_schema = $1 AND tc.constraint_type = 'PRIMARY KEY' AND tc.table_name <> 'migrations'
          GROUP BY tc.table_name`,
        [schema],
      );
      return r.rows;
    });
    const keys = Object.fromEntries(rows.map((r) => [r.table_name, r.columns]));
    expect(keys).toEqual(Object.fromEntries(definitions.map((d) => [d.table, d.key.map(columnName)])));
  });

  it('limits the values of every enumerated text column as the definition does (CHECK constraints)', async () => {
    const rows = await withDb(async (db) => {
      const r = await db.query<{ table_name: string; def: string }>(
        `SELECT cl.relname AS table_name, pg_get_constraintdef(co.oid) AS def
           FROM pg_constraint co
           JOIN pg_class cl ON cl.oid = co.conrelid
           JOIN pg_namespace n ON n.oid = cl.relnamespace
          WHERE n.nspname = $1 AND co.contype = 'c'`,
        [schema],
      );
      return r.rows;
    });
    const actual = Object.fromEntries(
      rows.map((r) => {
        const column = /\(\(?(\w+) = ANY/.exec(r.def)?.[1] ?? r.def;
        const values = [...r.def.matchAll(/'([^']*)'::text/g)].map((m) => m[1]).sort();
        return [`${r.table_name}.${column}`, values];
      }),
    );
    const expectedChecks = Object.fromEntries(
      definitions.flatMap((d) =>
        Object.entries(d.columns)
          .filter(([, c]) => c.values)
          .map(([f, c]) => [`${d.table}.${columnName(f)}`, [...c.values!].sort()]),
      ),
    );
    expect(actual).toEqual(expectedChecks);
  });

  it('reads a stored row back as the row of its definition (times as ISO strings, bigints as decimal strings)', async () => {
    const attempt: AttemptRow = {
      eventId: '6a1f4c1e-0d5b-4b8e-9f1a-3c2d1e0f9a8b',
      callbackId: 'trigger.cb-1',
      communicationId: 'comm-schema',
      messageId: null,
      attempt: 1,
      triggerType: 'MessageSent',
      method: 'POST',
      url: 'https://receiver.example/hook',
      startedAt: '2026-11-03T09:00:00.123Z',
      durationMs: 42,
      statusCode: 503,
      errorKind: null,
      errorMessage: null,
      responseSnippet: 'busy',
      outcome: 'retry',
      nextAttemptAt: '2026-11-03T09:01:00.000Z',
      retryAfterMs: 60000,
      logPartition: 0,
      logOffset: '9007199254740993',
    };
    const read = await withDb(async (db) => {
      const fields = Object.keys(SCHEMA.attempts.columns);
      await db.query(
        `INSERT INTO "${schema}".attempts (${fields.map(columnName).join(', ')})
         VALUES (${fields.map((_, i) => `$${i + 1}`).join(', ')})`,
        fields.map((f) => attempt[f as keyof AttemptRow]),
      );
      const r = await db.query(`SELECT * FROM "${schema}".attempts WHERE event_id = $1`, [attempt.eventId]);
      return rowFrom(SCHEMA.attempts, r.rows[0] as Record<string, unknown>);
    });
    expect(read).toEqual(attempt);
  });
});
