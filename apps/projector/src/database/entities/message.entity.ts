import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'messages' })
export class MessageEntity {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' }) messageId!: string;
  @Column({ name: 'communication_id', type: 'text' }) communicationId!: string;
  @Column({ name: 'batch_id', type: 'text' }) batchId!: string;
  @Column({ name: 'member_attributes', type: 'jsonb' }) memberAttributes!: Record<string, unknown>;
  @Column({ name: 'first_event_at', type: 'timestamptz' }) firstEventAt!: Date;
  @Column({ name: 'last_event_type', type: 'text' }) lastEventType!: string;
  @Column({ name: 'last_event_at', type: 'timestamptz' }) lastEventAt!: Date;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
  @Column({ type: 'jsonb', nullable: true }) problem!: Record<string, unknown> | null;
  @Column({ name: 'delivery_channel', type: 'text', nullable: true }) deliveryChannel!: string | null;
  @Column({ name: 'delivery_status', type: 'text', nullable: true }) deliveryStatus!: string | null;
  @Column({ name: 'delivery_error_code', type: 'integer', nullable: true }) deliveryErrorCode!: number | null;
}
