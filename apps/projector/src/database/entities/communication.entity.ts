import { Column, Entity, PrimaryColumn } from 'typeorm';

import type { ProjectedCallbackConfig } from '../../projection/projection.schema';

@Entity({ name: 'communications' })
export class CommunicationEntity {
  @PrimaryColumn({ name: 'communication_id', type: 'text' }) communicationId!: string;
  @Column({ name: 'campaign_id', type: 'text', nullable: true }) campaignId!: string | null;
  @Column({ name: 'campaign_mode', type: 'text', nullable: true }) campaignMode!: string | null;
  @Column({ type: 'jsonb' }) environment!: Record<string, unknown>;
  @Column({ type: 'jsonb' }) callbacks!: ProjectedCallbackConfig[];
  @Column({ name: 'notification_list', type: 'jsonb' }) notificationList!: string[];
  @Column({ name: 'config_event_id', type: 'uuid', nullable: true }) configEventId!: string | null;
  @Column({ name: 'configured_at', type: 'timestamptz', nullable: true }) configuredAt!: Date | null;
  @Column({ type: 'text' }) status!: 'active' | 'disabled';
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true }) disabledAt!: Date | null;
  @Column({ name: 'disabled_reason', type: 'text', nullable: true }) disabledReason!: string | null;
  @Column({ name: 'disabled_by', type: 'text', nullable: true }) disabledBy!: string | null;
  @Column({ name: 'disabled_callback_id', type: 'text', nullable: true }) disabledCallbackId!: string | null;
  @Column({ name: 'disabled_cause_event_id', type: 'uuid', nullable: true }) disabledCauseEventId!:
    string | null;
  @Column({ name: 'enabled_at', type: 'timestamptz', nullable: true }) enabledAt!: Date | null;
  @Column({ name: 'enabled_by', type: 'text', nullable: true }) enabledBy!: string | null;
  @Column({ name: 'enabled_reason', type: 'text', nullable: true }) enabledReason!: string | null;
  @Column({ name: 'active_since', type: 'uuid', nullable: true }) activeSince!: string | null;
  @Column({ name: 'disabled_failed', type: 'integer' }) disabledFailed!: number;
  @Column({ name: 'disabled_cancelled', type: 'integer' }) disabledCancelled!: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
