import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { InitialProjection1764200000000 } from './migrations/1764200000000-initial-projection';
import { CheckpointLogIdentity1764300000000 } from './migrations/1764300000000-checkpoint-log-identity';
import { FailureHandling1764900000000 } from './migrations/1764900000000-failure-handling';
import { ParkedRecords1765000000000 } from './migrations/1765000000000-parked-records';
import { ConsoleIndexes1765100000000 } from './migrations/1765100000000-console-indexes';
import { ConsoleConfigCounts1765100000001 } from './migrations/1765100000001-console-config-counts';
import { quoteSchema } from './schema.name';

export interface DatabaseOptions {
  databaseUrl: string;
  schema: string;
  /** Pool size; the read API and the projection share it. */
  poolSize?: number;
  /**
   * Commits do not wait for the WAL flush (`synchronous_commit = off`). Only for a replay's load:
   * nothing reads its schema before the replay ends with a synchronous commit, which flushes the
   * WAL of every earlier one (decision 0742). Never for the live projection, whose Kafka offsets
   * move past what it committed.
   */
  asyncCommit?: boolean;
}

/** A DataSource bound to one projection schema. Never `synchronize`: migrations own the schema. */
export function createDataSource({
  databaseUrl,
  schema,
  poolSize = 10,
  asyncCommit = false,
}: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    schema,
    // No entities: reads and writes are SQL over the rows of projection.schema.ts; TypeORM runs the
    // migrations and holds the pool.
    entities: [],
    migrations: [
      InitialProjection1764200000000,
      CheckpointLogIdentity1764300000000,
      FailureHandling1764900000000,
      ParkedRecords1765000000000,
      ConsoleIndexes1765100000000,
      ConsoleConfigCounts1765100000001,
    ],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    // Not even failed statements: TypeORM would print their parameters, which hold event data. The
    // code that runs a statement reports its failure (the parking guard, the HTTP error filter).
    logging: false,
    extra: {
      max: poolSize,
      application_name: `projector:${schema}`,
      ...(asyncCommit && { options: '-c synchronous_commit=off' }),
    },
  });
}

/** Creates the schema if needed and runs pending migrations; returns their names. */
export async function migrate(options: DatabaseOptions): Promise<string[]> {
  const client = new Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(options.schema)}`);
  } finally {
    await client.end();
  }
  const ds = createDataSource({ ...options, poolSize: 1 });
  await ds.initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'all' });
    return done.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
