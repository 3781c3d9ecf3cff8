import type { QueryRunner } from 'typeorm';

/**
 * Statement names by statement text, for the whole process. A name always stands for the same
 * text, so every pooled connection can prepare it once under that name (pg refuses one name for
 * two texts on a connection).
 */
const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `projection_${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}

/** What a prepared statement returned: its rows and how many rows it inserted, updated or read. */
export interface PreparedResult<R> {
  rows: R[];
  affected: number;
}

/**
 * Runs `text` as a named prepared statement on the query runner's connection (issue 14): the
 * projection runs the same dozen statements for every chunk, and a named statement is parsed and
 * planned once per connection instead of once per execution. Postgres analyses a prepared
 * statement again when a table it names is altered or dropped or a schema is renamed (the rebuild's
 * switch), so it writes where the same text run unprepared would. Statements must name their
 * columns (no `SELECT *`): a prepared statement whose result columns change fails.
 *
 * The statement goes through TypeORM's `query` (pg takes a query config for the text), so errors
 * arrive wrapped as for any other statement and the failure classification sees the same thing.
 */
export async function runPrepared<R = Record<string, unknown>>(
  qr: QueryRunner,
  text: string,
  values: unknown[],
): Promise<PreparedResult<R>> {
  const config = { name: nameOf(text), text };
  // TypeORM passes the query through to pg's client.query, which takes a config object.
  const result = await qr.query(config as unknown as string, values, true);
  return { rows: (result.records ?? []) as R[], affected: result.affected ?? 0 };
}
