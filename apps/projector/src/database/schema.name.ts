import type { QueryRunner } from 'typeorm';
import { schemaNameSchema } from '../config/projector.config';

/** The validated, quoted schema name of a connection (schemas are configuration, see DB_SCHEMA). */
export function schemaOf(qr: QueryRunner): string {
  const schema = (qr.connection.options as { schema?: string }).schema;
  return quoteSchema(schema ?? 'public');
}

/** Quotes a schema name after checking it is a plain identifier (it is interpolated into SQL). */
export function quoteSchema(schema: string): string {
  return `"${schemaNameSchema.parse(schema)}"`;
}

/**
 * Names for rebuilding `schema` at `now` (ON_LOG_MISMATCH=rebuild): where the new projection is
 * built, and the name the old one keeps afterwards. Both stay within Postgres's 63 characters.
 */
export function rebuildSchemaNames(schema: string, now: Date): { next: string; archive: string } {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const base = schema.slice(0, 40);
  return { next: `${base}_rebuild_${stamp}`, archive: `${base}_old_${stamp}` };
}
