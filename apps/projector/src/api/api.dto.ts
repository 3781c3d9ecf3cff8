import { LIMITS } from '@app/contracts';
import { ApiProperty } from '@nestjs/swagger';
import type {
  AttemptRow,
  BatchRow,
  CallbackRow,
  CallbackState,
  CommunicationRow,
  StoredRecoveryRow,
} from '../projection/projection.schema';

/**
 * Response shapes of the read API, mapped from the rows of `projection.schema.ts`. A field that is
 * a column as stored is picked from its row type (same name, same type: times are ISO strings);
 * only what the API names or groups differently is written here.
 */
export interface AttemptDto extends Pick<
  AttemptRow,
  | 'attempt'
  | 'startedAt'
  | 'durationMs'
  | 'statusCode'
  | 'responseSnippet'
  | 'outcome'
  | 'nextAttemptAt'
  | 'retryAfterMs'
  | 'url'
> {
  error: { kind: string; message: string | null } | null;
}

/** One attempt in a communication's attempt list (`GET /v1/communications/{id}/attempts`). */
export interface CommunicationAttemptDto extends AttemptDto, Pick<AttemptRow, 'callbackId' | 'messageId'> {
  callbackConfigId: string;
  event: string;
  /** Where the CallbackAttempted is on the log. */
  position: { partition: number; offset: string };
}

export interface AttemptPageDto {
  items: CommunicationAttemptDto[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** Whether a communication is called back, and why not: the single view and the list share it. */
export interface CommunicationStatusDto extends Pick<CommunicationRow, 'communicationId' | 'status'> {
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
export interface CommunicationSummaryDto
  extends CommunicationStatusDto, Pick<CommunicationRow, 'campaignId' | 'updatedAt'> {}

export interface CommunicationPageDto {
  items: CommunicationSummaryDto[];
  nextCursor: string | null;
}

export interface RecoveryDto extends Pick<
  StoredRecoveryRow,
  | 'recoveryId'
  | 'communicationId'
  | 'since'
  | 'states'
  | 'reason'
  | 'adminKey'
  | 'requestedAt'
  | 'resent'
  | 'finishedAt'
> {
  by: string;
}

export interface CallbackDto extends Pick<
  CallbackRow,
  | 'callbackId'
  | 'callbackConfigId'
  | 'communicationId'
  | 'triggerEventId'
  | 'messageId'
  | 'method'
  | 'url'
  | 'state'
  | 'attempts'
  | 'lastStatusCode'
  | 'nextAttemptAt'
  | 'createdAt'
  | 'finishedAt'
> {
  event: string;
  lastError: { kind: string; message: string | null } | null;
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

export interface CommunicationDto
  extends
    CommunicationStatusDto,
    Pick<CommunicationRow, 'campaignId' | 'campaignMode' | 'configuredAt' | 'notificationList'> {
  /** Credentials are never shown: only whether there are some and whether requests are signed. */
  callbacks: CommunicationRow['callbacks'];
  callbackCounts: Record<CallbackState, number>;
}

export interface CallbackPageDto {
  items: CallbackDto[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface BatchDto extends Pick<
  BatchRow,
  'batchId' | 'communicationId' | 'status' | 'messageCount' | 'completedAt'
> {
  memberCount: number;
  /** With `includemembers=true`: one page of members, in message id order (at most 1,000). */
  members?: { messageId: string; memberAttributes: Record<string, unknown> }[];
  /** Pass as `cursor` (with `includemembers=true`) for the next page of members; null on the last. */
  membersNextCursor?: string | null;
}

/** Who asks and why: recorded on the log with every write (with the admin key's name). */
export class OperatorBody {
  @ApiProperty({
    description: 'Who asks (a person or a tool)',
    maxLength: LIMITS.maxOperatorLength,
    example: 'jane.doe (on-call)',
  })
  by!: string;
  @ApiProperty({
    description: 'Why; recorded on the log',
    maxLength: LIMITS.maxTextLength,
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
