import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One `CallbackAttempted` event. */
@Entity({ name: 'attempts' })
export class AttemptEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' }) eventId!: string;
  @Column({ name: 'callback_id', type: 'text' }) callbackId!: string;
  @Column({ name: 'communication_id', type: 'text' }) communicationId!: string;
  @Column({ name: 'message_id', type: 'uuid', nullable: true }) messageId!: string | null;
  @Column({ type: 'integer' }) attempt!: number;
  @Column({ name: 'trigger_type', type: 'text' }) triggerType!: string;
  @Column({ type: 'text' }) method!: string;
  @Column({ type: 'text', nullable: true }) url!: string | null;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt!: Date;
  @Column({ name: 'duration_ms', type: 'integer' }) durationMs!: number;
  @Column({ name: 'status_code', type: 'integer', nullable: true }) statusCode!: number | null;
  @Column({ name: 'error_kind', type: 'text', nullable: true }) errorKind!: string | null;
  @Column({ name: 'error_message', type: 'text', nullable: true }) errorMessage!: string | null;
  @Column({ name: 'response_snippet', type: 'text', nullable: true }) responseSnippet!: string | null;
  @Column({ type: 'text' }) outcome!: string;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt!: Date | null;
  @Column({ name: 'retry_after_ms', type: 'integer', nullable: true }) retryAfterMs!: number | null;
  @Column({ name: 'log_partition', type: 'integer' }) logPartition!: number;
  @Column({ name: 'log_offset', type: 'bigint' }) logOffset!: string;
}
