import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '../schema.name';

/**
 * The console's "callbacks by configured callback" of a communication counts from this index alone
 * (an index-only scan) instead of visiting every callback row: with 200,000 callbacks in one
 * communication its page went from 114 ms to the figure in docs/performance.md (decision 0723).
 */
export class ConsoleConfigCounts1765100000001 implements MigrationInterface {
  name = 'ConsoleConfigCounts1765100000001';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(
      `CREATE INDEX callbacks_communication_config ON ${s}.callbacks (communication_id, callback_config_id, state)`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP INDEX ${schemaOf(qr)}.callbacks_communication_config`);
  }
}
