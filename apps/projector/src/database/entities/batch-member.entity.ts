import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'batch_members' })
export class BatchMemberEntity {
  @PrimaryColumn({ name: 'batch_id', type: 'text' }) batchId!: string;
  @PrimaryColumn({ name: 'message_id', type: 'uuid' }) messageId!: string;
  @Column({ name: 'member_attributes', type: 'jsonb' }) memberAttributes!: Record<string, unknown>;
}
