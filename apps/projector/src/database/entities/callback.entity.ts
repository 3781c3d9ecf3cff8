import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CallbackState } from '../../projection/projection.schema';

/** One configured callback fired for one triggering event. */
@Entity({ name: 'callbacks' })
export class CallbackEntity {
  @PrimaryColumn({ name: 'callback_id', type: 'text' }) callbackId!: string;
  @Column({ name: 'communication_id', type: 'text' }) communicationId!: string;
  @Column({ name: 'callback_config_id', type: 'text' }) callbackConfigId!: string;
  @Column({ name: 'trigger_event_id', type: 'uuid' }) triggerEventId!: string;
  @Column({ name: 'trigger_type', type: 'text' }) triggerType!: string;
  @Column({ name: 'message_id', type: 'uuid', nullable: true }) messageId!: string | null;
  @Column({ type: 'text' }) method!: string;
  @Column({ type: 'text', nullable: true }) url!: string | null;
  @Column({ type: 'text' }) state!: CallbackState;
  @Column({ type: 'integer' }) attempts!: number;
  @Column({ name: 'last_status_code', type: 'integer', nullable: true }) lastStatusCode!: number | null;
  @Column({ name: 'last_error_kind', type: 'text', nullable: true }) lastErrorKind!: string | null;
  @Column({ name: 'last_error_message', type: 'text', nullable: true }) lastErrorMessage!: string | null;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
