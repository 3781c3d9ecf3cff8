/**
 * How row objects map onto tables for the bulk writes (column order, keys, JSON columns, casts,
 * conflict rule): derived from the one definition of each table in `projection.schema.ts`.
 */
import { tableSpecOf, type TableSpec } from './column.types';
import { SCHEMA } from './projection.schema';

export type { TableSpec } from './column.types';

type Written = Exclude<keyof typeof SCHEMA, 'checkpoints'>;

/** The tables the projection writes in bulk (checkpoints are written on their own). */
export const TABLES = Object.fromEntries(
  Object.entries(SCHEMA)
    .filter(([name]) => name !== 'checkpoints')
    .map(([name, definition]) => [name, tableSpecOf(definition)]),
) as Record<Written, TableSpec>;
