/**
 * The vocabulary the projection's tables are defined in (`projection.schema.ts`): a column is its
 * Postgres type, whether it may be null, and who writes it. From one definition come the row types
 * (`RowOf`), the column specs of the bulk writes (`tableSpecOf`) and the schema test that compares
 * the migrated database with the definition. Times are ISO strings and bigints decimal strings, as
 * the events carry them, so that rows are a pure function of the log.
 */

export type PgType = 'text' | 'uuid' | 'integer' | 'bigint' | 'timestamptz' | 'jsonb';

/**
 * `projected`: a pure function of the log, written by the projection's bulk writes and compared by
 * verify. `bookkeeping`: delivery state of a worker (mail, relay, recovery, checkpoints), written
 * by that worker only and not part of the row type.
 */
export type ColumnRole = 'projected' | 'bookkeeping';

export interface Column<T = unknown, R extends ColumnRole = ColumnRole> {
  readonly type: PgType;
  readonly nullable: boolean;
  readonly role: R;
  /** The only values a text column may hold (its CHECK constraint). */
  readonly values?: readonly string[];
  /** Type-level only: the TypeScript value of the column. */
  readonly value?: T;
}

/** A column with the builders that refine it. */
interface ColumnBuilder<T, R extends ColumnRole> extends Column<T, R> {
  orNull(): ColumnBuilder<T | null, R>;
  /** Written by a worker, not by the projection (see ColumnRole). */
  bookkeeping(): ColumnBuilder<T, 'bookkeeping'>;
}

function column<T, R extends ColumnRole = 'projected'>(
  type: PgType,
  nullable = false,
  role: ColumnRole = 'projected',
  values?: readonly string[],
): ColumnBuilder<T, R> {
  return {
    type,
    nullable,
    role: role as R,
    ...(values && { values }),
    orNull: () => column<T | null, R>(type, true, role, values),
    bookkeeping: () => column<T, 'bookkeeping'>(type, nullable, 'bookkeeping', values),
  };
}

/** Column builders by Postgres type; the type parameter narrows text (unions) and jsonb (shapes). */
export const col = {
  text: <T extends string = string>() => column<T>('text'),
  /** A text column limited to `values` (a CHECK constraint); its type is their union. */
  oneOf: <const V extends readonly string[]>(values: V) =>
    column<V[number]>('text', false, 'projected', values),
  uuid: () => column<string>('uuid'),
  integer: () => column<number>('integer'),
  /** A decimal string: log offsets exceed 2^53. */
  bigint: () => column<string>('bigint'),
  /** An ISO instant as the event carried it. */
  timestamptz: () => column<string>('timestamptz'),
  jsonb: <T>() => column<T>('jsonb'),
};

export type Columns = Record<string, Column>;

export interface TableDefinition<C extends Columns = Columns> {
  /** The table's name in the projection schema. */
  table: string;
  /** camelCase field → column, in insert order; the column name is the field in snake_case. */
  columns: C;
  /** The primary key, in order. */
  key: readonly (keyof C & string)[];
  /** What a conflicting insert does: `update` = the row is a full new version, `nothing` = first write wins. */
  onConflict: 'update' | 'nothing';
}

export const defineTable = <C extends Columns>(definition: TableDefinition<C>): TableDefinition<C> =>
  definition;

/** The row the projection reads and writes: its projected columns, with their TypeScript values. */
export type RowOf<D extends { columns: Columns }> = {
  -readonly [
    K in keyof D['columns'] as D['columns'][K] extends Column<unknown, 'projected'> ? K : never
  ]: D['columns'][K] extends Column<infer T> ? Exclude<T, undefined> : never;
};

/** The row as stored: every column, the projection's and the workers' (for reads such as the API's). */
export type StoredRowOf<D extends { columns: Columns }> = {
  -readonly [K in keyof D['columns']]: D['columns'][K] extends Column<infer T>
    ? Exclude<T, undefined>
    : never;
};

export const columnName = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A value as pg returns it, as the row holds it: a timestamptz (a `Date`) becomes its ISO string. */
export const fieldValue = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);

/**
 * A record as pg returns it (snake_case columns) as the row of its definition (camelCase fields,
 * times as ISO strings). Only the columns the query selected are set.
 */
export function rowFrom<D extends AnyTableDefinition>(
  definition: D,
  record: Record<string, unknown>,
): StoredRowOf<D> {
  const row: Record<string, unknown> = {};
  for (const field of Object.keys(definition.columns)) {
    const name = columnName(field);
    if (name in record) row[field] = fieldValue(record[name]);
  }
  return row as StoredRowOf<D>;
}

/** Runs a query and reads each record it returns as a row of one table (`rowFrom`). */
export async function queryRows<D extends AnyTableDefinition>(
  query: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>,
  definition: D,
  sql: string,
  params: unknown[],
): Promise<StoredRowOf<D>[]> {
  return (await query(sql, params)).map((r) => rowFrom(definition, r));
}

/** How the bulk writes map row objects onto a table (only the projected columns). */
export interface TableSpec {
  table: string;
  /** camelCase field → snake_case column, in insert order. */
  columns: Record<string, string>;
  key: string[];
  json: string[];
  onConflict: 'update' | 'nothing';
  /** Postgres casts of the VALUES parameters (every type but text). */
  types: Record<string, string>;
}

/** Any table's definition, for code that reads definitions generically. */
export interface AnyTableDefinition {
  table: string;
  columns: Columns;
  key: readonly string[];
  onConflict: 'update' | 'nothing';
}

export function tableSpecOf(definition: AnyTableDefinition): TableSpec {
  const projected = Object.entries(definition.columns).filter(([, c]) => c.role === 'projected');
  return {
    table: definition.table,
    columns: Object.fromEntries(projected.map(([f]) => [f, columnName(f)])),
    key: [...definition.key],
    json: projected.filter(([, c]) => c.type === 'jsonb').map(([f]) => f),
    onConflict: definition.onConflict,
    types: Object.fromEntries(projected.filter(([, c]) => c.type !== 'text').map(([f, c]) => [f, c.type])),
  };
}
