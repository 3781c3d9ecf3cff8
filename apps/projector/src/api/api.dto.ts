import { ApiProperty } from '@nestjs/swagger';
import type { CallbackState, ProjectedCallbackConfig } from '../projection/projection.schema';

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
  /** What the receiver asked for with Retry-After (429/503), in milliseconds. */
  retryAfterMs: number | null;
  url: string | null;
}

/** One attempt in a communication's attempt list (`GET /v1/communications/{id}/attempts`). */
export interface CommunicationAttemptDto extends AttemptDto {
  callbackId: string;
  callbackConfigId: string;
  event: string;
  messageId: string | null;
  /** Where the CallbackAttempted is on the log. */
  position: { partition: number; offset: string };
}

export interface AttemptPageDto {
  items: CommunicationAttemptDto[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** Whether a communication is called back, and why not: the single view and the list share it. */
export interface CommunicationStatusDto {
  communicationId: string;
  status: 'active' | 'disabled';
  disabled: {
    at: string | null;
    reason: string | null;
    by: string | null;
    callbackId: string | null;
    /** Other callbacks that failed and callbacks cancelled since this disable. */
    failedSince: number;
    cancelledSince: number;
  } | null;
  enabled: { at: string | null; by: string | null; reason: string | null } | null;
}

/** One line of `GET /v1/communications`: enough for an on-call person to pick one. */
export interface CommunicationSummaryDto extends CommunicationStatusDto {
  campaignId: string | null;
  updatedAt: string;
}

export interface CommunicationPageDto {
  items: CommunicationSummaryDto[];
  nextCursor: string | null;
}

export interface RecoveryDto {
  recoveryId: string;
  communicationId: string;
  since: string;
  states: string[];
  by: string;
  reason: string;
  adminKey: string | null;
  requestedAt: string;
  /** Resends of this recovery already on the log (read back by the projection). */
  resent: number;
  /** When the projector had nothing left to resend (or stopped: the communication was disabled again). */
  finishedAt: string | null;
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

export interface CommunicationDto extends CommunicationStatusDto {
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
  /** With `includemembers=true`: one page of members, in message id order (at most 1,000). */
  members?: { messageId: string; memberAttributes: Record<string, unknown> }[];
  /** Pass as `cursor` (with `includemembers=true`) for the next page of members; null on the last. */
  membersNextCursor?: string | null;
}

/** Who asks and why: recorded on the log with every write (with the admin key's name). */
export class OperatorBody {
  @ApiProperty({
    description: 'Who asks (a person or a tool)',
    maxLength: 128,
    example: 'jane.doe (on-call)',
  })
  by!: string;
  @ApiProperty({
    description: 'Why; recorded on the log',
    maxLength: 2000,
    example: 'the registrar API is back after the 09:00 outage (INC-4821)',
  })
  reason!: string;
}

export class RecoverBody extends OperatorBody {
  @ApiProperty({
    description:
      'Resend callbacks created at or after this instant (usually when the communication was disabled)',
    example: '2026-11-03T09:00:00.000Z',
  })
  since!: string;
  @ApiProperty({
    description: 'Which callbacks to resend',
    enum: ['failed', 'cancelled'],
    isArray: true,
    example: ['failed', 'cancelled'],
  })
  states!: ('failed' | 'cancelled')[];
}
