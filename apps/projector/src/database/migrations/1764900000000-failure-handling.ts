import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '../schema.name';

/**
 * Issue 9: one alert per disable (episode counters, follow-up emails), active periods, the
 * triggering events a resend repeats, recoveries, and the indexes of the operators' lists.
 * Existing rows get the defaults: active from the start, no failure counted since a disable.
 */
export class FailureHandling1764900000000 implements MigrationInterface {
  name = 'FailureHandling1764900000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      ALTER TABLE ${s}.communications
        ADD COLUMN active_since uuid,
        ADD COLUMN disabled_failed integer NOT NULL DEFAULT 0,
        ADD COLUMN disabled_cancelled integer NOT NULL DEFAULT 0;
      CREATE INDEX communications_status ON ${s}.communications (status, communication_id);
      ALTER TABLE ${s}.attempts ADD COLUMN retry_after_ms integer;
      CREATE INDEX attempts_communication ON ${s}.attempts (communication_id, log_partition, log_offset);
      CREATE INDEX callbacks_recovery ON ${s}.callbacks (communication_id, created_at, callback_id);
      CREATE TABLE ${s}.trigger_events (
        event_id uuid PRIMARY KEY,
        communication_id text NOT NULL,
        payload jsonb NOT NULL
      );
      ALTER TABLE ${s}.notification_emails
        ADD COLUMN kind text NOT NULL DEFAULT 'disabled' CHECK (kind IN ('disabled','follow-up')),
        ADD COLUMN sequence integer NOT NULL DEFAULT 0,
        ADD COLUMN reported_failed integer,
        ADD COLUMN reported_cancelled integer;
      CREATE INDEX notification_emails_cause ON ${s}.notification_emails (cause_event_id, sequence);
      CREATE TABLE ${s}.recoveries (
        recovery_id uuid PRIMARY KEY,
        communication_id text NOT NULL,
        since timestamptz NOT NULL,
        states jsonb NOT NULL,
        requested_by text NOT NULL,
        reason text NOT NULL,
        admin_key text,
        requested_at timestamptz NOT NULL,
        resent integer NOT NULL,
        last_created_at timestamptz,
        last_callback_id text,
        sent_created_at timestamptz,
        sent_callback_id text,
        finished_at timestamptz
      );
      CREATE INDEX recoveries_communication ON ${s}.recoveries (communication_id, requested_at);
      CREATE INDEX recoveries_open ON ${s}.recoveries (requested_at) WHERE finished_at IS NULL;
    `);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      DROP TABLE ${s}.recoveries;
      DROP INDEX ${s}.notification_emails_cause;
      ALTER TABLE ${s}.notification_emails
        DROP COLUMN kind, DROP COLUMN sequence, DROP COLUMN reported_failed, DROP COLUMN reported_cancelled;
      DROP TABLE ${s}.trigger_events;
      DROP INDEX ${s}.callbacks_recovery;
      DROP INDEX ${s}.attempts_communication;
      ALTER TABLE ${s}.attempts DROP COLUMN retry_after_ms;
      DROP INDEX ${s}.communications_status;
      ALTER TABLE ${s}.communications
        DROP COLUMN active_since, DROP COLUMN disabled_failed, DROP COLUMN disabled_cancelled;
    `);
  }
}
