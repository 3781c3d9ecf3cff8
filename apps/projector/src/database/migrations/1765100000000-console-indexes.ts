import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '../schema.name';

/**
 * Indexes of the operator console (decision 0723): its "failed attempts across everything" page
 * reads the newest attempts that did not succeed, and a communication's page its disables, without
 * scanning the attempts or outbox tables. The failure index is partial: succeeded attempts, the
 * great majority, are not in it.
 */
export class ConsoleIndexes1765100000000 implements MigrationInterface {
  name = 'ConsoleIndexes1765100000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE INDEX attempts_not_succeeded ON ${s}.attempts (started_at DESC, event_id DESC)
        WHERE outcome <> 'succeeded';
      CREATE INDEX outbox_events_communication ON ${s}.outbox_events (communication_id, created_at);
    `);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`DROP INDEX ${s}.attempts_not_succeeded; DROP INDEX ${s}.outbox_events_communication;`);
  }
}
