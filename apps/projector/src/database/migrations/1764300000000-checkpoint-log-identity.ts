import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '../schema.name';

/**
 * Every checkpoint names the log it counts offsets of: Kafka's cluster id and topic id (decision
 * 0641). Checkpoints written before this migration have none; the projector records the current
 * log's identity on them at its next start, unless one is beyond that log's end.
 */
export class CheckpointLogIdentity1764300000000 implements MigrationInterface {
  name = 'CheckpointLogIdentity1764300000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`ALTER TABLE ${s}.checkpoints ADD COLUMN cluster_id text, ADD COLUMN topic_id text`);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`ALTER TABLE ${s}.checkpoints DROP COLUMN cluster_id, DROP COLUMN topic_id`);
  }
}
