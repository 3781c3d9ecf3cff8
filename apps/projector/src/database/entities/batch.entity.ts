import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A batch of messages; ids are treated as globally unique (Dispatch's internal batch ids). */
@Entity({ name: 'batches' })
export class BatchEntity {
  @PrimaryColumn({ name: 'batch_id', type: 'text' }) batchId!: string;
  @Column({ name: 'communication_id', type: 'text' }) communicationId!: string;
  @Column({ type: 'text' }) status!: 'open' | 'complete';
  @Column({ name: 'message_count', type: 'integer', nullable: true }) messageCount!: number | null;
  @Column({ name: 'first_event_at', type: 'timestamptz' }) firstEventAt!: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
  @Column({ name: 'completed_event_id', type: 'uuid', nullable: true }) completedEventId!: string | null;
}
