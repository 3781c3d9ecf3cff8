import { Client } from 'pg';
import { databaseUrl } from './bench.env';

/** Reads the projection's progress straight from Postgres (what a reader of the API would see). */
export class PostgresProbe {
  private readonly client = new Client({ connectionString: databaseUrl() });

  async connect(): Promise<void> {
    await this.client.connect();
  }

  /** Events the projection has applied or skipped so far (its checkpoints), 0 before it starts. */
  async eventsProjected(schema: string): Promise<number> {
    try {
      const r = await this.client.query<{ n: string | null }>(
        `SELECT sum(events_applied + events_skipped) AS n FROM "${schema}".checkpoints`,
      );
      return Number(r.rows[0]?.n ?? 0);
    } catch (e) {
      if ((e as { code?: string }).code === '42P01') return 0; // undefined_table: not migrated yet
      throw e;
    }
  }

  /** Attempt rows in the history. */
  async attempts(schema: string): Promise<number> {
    try {
      const r = await this.client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".attempts`);
      return Number(r.rows[0].n);
    } catch (e) {
      if ((e as { code?: string }).code === '42P01') return 0;
      throw e;
    }
  }

  async dropSchemas(schemas: string[]): Promise<void> {
    for (const s of schemas) await this.client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
