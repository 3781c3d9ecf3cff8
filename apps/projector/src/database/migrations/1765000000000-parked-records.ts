import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '../schema.name';

/**
 * Records the projector's consumers set aside (decision 0602): log records the projection cannot
 * apply, and outbox events the relay cannot publish. Everything but `parked_at` and `reason` is a
 * pure function of the log for the projection's rows, so verify compares them with a replay.
 * Also the log position of the last event that changed a communication's or a callback's row, so
 * that applying an event again over rows that later events produced changes nothing.
 */
export class ParkedRecords1765000000000 implements MigrationInterface {
  name = 'ParkedRecords1765000000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.parked_records (
        parked_id uuid PRIMARY KEY,
        consumer text NOT NULL CHECK (consumer IN ('projector','outbox-relay')),
        source_topic text, source_partition integer, source_offset bigint,
        event_id uuid, event_type text, communication_id text,
        code text NOT NULL, failure_class text NOT NULL, reason text NOT NULL, attempts integer NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX parked_records_communication ON ${s}.parked_records (communication_id);
      ALTER TABLE ${s}.outbox_events ADD COLUMN parked_at timestamptz, ADD COLUMN parked_reason text;
      ALTER TABLE ${s}.communications ADD COLUMN last_log_partition integer, ADD COLUMN last_log_offset bigint;
      ALTER TABLE ${s}.callbacks ADD COLUMN last_log_partition integer, ADD COLUMN last_log_offset bigint;
      DROP INDEX ${s}.outbox_events_unpublished;
      CREATE INDEX outbox_events_unpublished ON ${s}.outbox_events (created_at)
        WHERE published_offset IS NULL AND parked_at IS NULL;
    `);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      DROP INDEX ${s}.outbox_events_unpublished;
      CREATE INDEX outbox_events_unpublished ON ${s}.outbox_events (created_at) WHERE published_offset IS NULL;
      ALTER TABLE ${s}.outbox_events DROP COLUMN parked_at, DROP COLUMN parked_reason;
      ALTER TABLE ${s}.communications DROP COLUMN last_log_partition, DROP COLUMN last_log_offset;
      ALTER TABLE ${s}.callbacks DROP COLUMN last_log_partition, DROP COLUMN last_log_offset;
      DROP TABLE ${s}.parked_records;
    `);
  }
}
