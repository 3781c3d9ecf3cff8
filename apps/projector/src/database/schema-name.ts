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
