import { ApiProperty } from '@nestjs/swagger';
import type { CallbackState, ProjectedCallbackConfig } from '../projection/projection.rows';

/** Response shapes of the read API (mapped from rows; ORM entities never leave the service). */
export interface AttemptDto {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: { kind: string; message: string | null } | null;
  responseSnippet: string | null;
  outcome: string;
  nextAttemptAt: string | null;
  url: string | null;
}

export interface CallbackDto {
  callbackId: string;
  callbackConfigId: string;
  communicationId: string;
  event: string;
  triggerEventId: string;
  messageId: string | null;
  method: string;
  url: string | null;
  state: CallbackState;
  attempts: number;
  lastStatusCode: number | null;
  lastError: { kind: string; message: string | null } | null;
  nextAttemptAt: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface MessageCallbacksDto {
  messageId: string;
  communicationId: string;
  batchId: string;
  deliveryStatuses: {
    status: string;
    channel: string;
    previousStatus: string | null;
    errorCode: number | null;
    at: string;
  }[];
  callbacks: (CallbackDto & { history: AttemptDto[] })[];
}

export interface CommunicationDto {
  communicationId: string;
  status: 'active' | 'disabled';
  disabled: { at: string | null; reason: string | null; by: string | null; callbackId: string | null } | null;
  enabled: { at: string | null; by: string | null; reason: string | null } | null;
  campaignId: string | null;
  campaignMode: string | null;
  configuredAt: string | null;
  /** Credentials are never shown: only whether there are some and whether requests are signed. */
  callbacks: ProjectedCallbackConfig[];
  notificationList: string[];
  callbackCounts: Record<CallbackState, number>;
}

export interface CallbackPageDto {
  items: CallbackDto[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface BatchDto {
  batchId: string;
  communicationId: string;
  status: 'open' | 'complete';
  messageCount: number | null;
  memberCount: number;
  completedAt: string | null;
  members?: { messageId: string; memberAttributes: Record<string, unknown> }[];
  membersTruncated?: boolean;
}

export class EnableCommunicationBody {
  @ApiProperty({
    description: 'Who re-enables the communication',
    maxLength: 128,
    example: 'operations-desk',
  })
  by!: string;
  @ApiProperty({ description: 'Why it is safe to call the application again', maxLength: 2000 })
  reason!: string;
}
