import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '../schema.name';

/**
 * The whole projection. Every column is a pure function of the event log (times come from events,
 * never from now()) except the delivery bookkeeping of emails and checkpoints.updated_at, so that a
 * replay into a fresh schema can be compared with the live one.
 */
export class InitialProjection1764200000000 implements MigrationInterface {
  name = 'InitialProjection1764200000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.communications (
        communication_id text PRIMARY KEY,
        campaign_id text, campaign_mode text,
        environment jsonb NOT NULL DEFAULT '{}',
        callbacks jsonb NOT NULL DEFAULT '[]',
        notification_list jsonb NOT NULL DEFAULT '[]',
        config_event_id uuid, configured_at timestamptz,
        status text NOT NULL CHECK (status IN ('active','disabled')),
        disabled_at timestamptz, disabled_reason text, disabled_by text,
        disabled_callback_id text, disabled_cause_event_id uuid,
        enabled_at timestamptz, enabled_by text, enabled_reason text,
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE ${s}.messages (
        message_id uuid PRIMARY KEY,
        communication_id text NOT NULL,
        batch_id text NOT NULL,
        member_attributes jsonb NOT NULL,
        first_event_at timestamptz NOT NULL,
        last_event_type text NOT NULL, last_event_at timestamptz NOT NULL,
        sent_at timestamptz, problem jsonb,
        delivery_channel text, delivery_status text, delivery_error_code integer
      );
      CREATE INDEX messages_communication ON ${s}.messages (communication_id);
      CREATE TABLE ${s}.batches (
        batch_id text PRIMARY KEY,
        communication_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('open','complete')),
        message_count integer,
        first_event_at timestamptz NOT NULL,
        completed_at timestamptz, completed_event_id uuid
      );
      CREATE TABLE ${s}.batch_members (
        batch_id text NOT NULL, message_id uuid NOT NULL,
        member_attributes jsonb NOT NULL,
        PRIMARY KEY (batch_id, message_id)
      );
      CREATE TABLE ${s}.callbacks (
        callback_id text PRIMARY KEY,
        communication_id text NOT NULL,
        callback_config_id text NOT NULL,
        trigger_event_id uuid NOT NULL, trigger_type text NOT NULL,
        message_id uuid, method text NOT NULL, url text,
        state text NOT NULL CHECK (state IN ('pending','succeeded','failed','cancelled')),
        attempts integer NOT NULL,
        last_status_code integer, last_error_kind text, last_error_message text,
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, finished_at timestamptz
      );
      CREATE INDEX callbacks_communication ON ${s}.callbacks (communication_id, state, callback_id);
      CREATE INDEX callbacks_message ON ${s}.callbacks (message_id);
      CREATE TABLE ${s}.attempts (
        event_id uuid PRIMARY KEY,
        callback_id text NOT NULL, communication_id text NOT NULL, message_id uuid,
        attempt integer NOT NULL, trigger_type text NOT NULL, method text NOT NULL, url text,
        started_at timestamptz NOT NULL, duration_ms integer NOT NULL,
        status_code integer, error_kind text, error_message text, response_snippet text,
        outcome text NOT NULL, next_attempt_at timestamptz,
        log_partition integer NOT NULL, log_offset bigint NOT NULL
      );
      CREATE INDEX attempts_callback ON ${s}.attempts (callback_id, attempt);
      CREATE TABLE ${s}.delivery_statuses (
        event_id uuid PRIMARY KEY,
        message_id uuid NOT NULL, communication_id text NOT NULL,
        channel text NOT NULL, status text NOT NULL, previous_status text,
        error_code integer, twilio_sid text, occurred_at timestamptz NOT NULL,
        log_partition integer NOT NULL, log_offset bigint NOT NULL
      );
      CREATE INDEX delivery_statuses_message ON ${s}.delivery_statuses (message_id, log_partition, log_offset);
      CREATE TABLE ${s}.outbox_events (
        event_id uuid PRIMARY KEY,
        communication_id text NOT NULL, event_type text NOT NULL,
        payload jsonb NOT NULL, cause_event_id uuid NOT NULL, created_at timestamptz NOT NULL,
        published_partition integer, published_offset bigint
      );
      CREATE INDEX outbox_events_unpublished ON ${s}.outbox_events (created_at) WHERE published_offset IS NULL;
      CREATE TABLE ${s}.notification_emails (
        email_id uuid PRIMARY KEY,
        communication_id text NOT NULL, callback_id text NOT NULL, cause_event_id uuid NOT NULL,
        to_address text NOT NULL, created_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('pending','sent','suppressed')),
        attempts integer NOT NULL DEFAULT 0, next_attempt_at timestamptz,
        last_error text, sent_at timestamptz
      );
      CREATE INDEX notification_emails_due ON ${s}.notification_emails (next_attempt_at) WHERE status = 'pending';
      CREATE TABLE ${s}.checkpoints (
        topic text NOT NULL, partition integer NOT NULL,
        next_offset bigint NOT NULL, events_applied bigint NOT NULL, events_skipped bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition)
      );
    `);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    for (const t of [
      'checkpoints',
      'notification_emails',
      'outbox_events',
      'delivery_statuses',
      'attempts',
      'callbacks',
      'batch_members',
      'batches',
      'messages',
      'communications',
    ]) {
      await qr.query(`DROP TABLE ${s}.${t}`);
    }
  }
}
