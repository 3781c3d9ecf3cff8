import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One Twilio delivery status change of a message. */
@Entity({ name: 'delivery_statuses' })
export class DeliveryStatusEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' }) eventId!: string;
  @Column({ name: 'message_id', type: 'uuid' }) messageId!: string;
  @Column({ name: 'communication_id', type: 'text' }) communicationId!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'previous_status', type: 'text', nullable: true }) previousStatus!: string | null;
  @Column({ name: 'error_code', type: 'integer', nullable: true }) errorCode!: number | null;
  @Column({ name: 'twilio_sid', type: 'text', nullable: true }) twilioSid!: string | null;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ name: 'log_partition', type: 'integer' }) logPartition!: number;
  @Column({ name: 'log_offset', type: 'bigint' }) logOffset!: string;
}
