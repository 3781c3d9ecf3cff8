import { Inject, Injectable } from '@nestjs/common';
import { CURRENT_VERSION, encodeEvent, logHeadersOf, type LogEventOf } from '@app/contracts';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import type { ProjectorConfig } from '../config/projector.config';
import { AttemptEntity } from '../database/entities/attempt.entity';
import { BatchMemberEntity } from '../database/entities/batch-member.entity';
import { BatchEntity } from '../database/entities/batch.entity';
import { CallbackEntity } from '../database/entities/callback.entity';
import { CommunicationEntity } from '../database/entities/communication.entity';
import { DeliveryStatusEntity } from '../database/entities/delivery-status.entity';
import { MessageEntity } from '../database/entities/message.entity';
import type { CallbackState } from '../projection/projection.rows';
import { LOG_PRODUCER, PROJECTOR_CONFIG } from '../projector.tokens';
import type {
  AttemptDto,
  BatchDto,
  CallbackDto,
  CallbackPageDto,
  CommunicationDto,
  MessageCallbacksDto,
} from './api.dto';
import { quoteSchema } from '../database/schema-name';
import { ApiError, notFound } from './api.errors';
import { HttpStatus } from '@nestjs/common';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const CALLBACK_STATES: CallbackState[] = ['pending', 'succeeded', 'failed', 'cancelled'];

/** Queries behind the read API; returns DTOs mapped from rows. */
@Injectable()
export class ReadService {
  constructor(
    private readonly ds: DataSource,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
    @Inject(LOG_PRODUCER) private readonly producer: Producer,
  ) {}

  async messageCallbacks(messageId: string): Promise<MessageCallbacksDto> {
    const message = await this.ds.getRepository(MessageEntity).findOneBy({ messageId });
    if (!message) throw notFound('message', messageId);
    const callbacks = await this.ds
      .getRepository(CallbackEntity)
      .find({ where: { messageId }, order: { createdAt: 'ASC', callbackId: 'ASC' } });
    const attempts = callbacks.length
      ? await this.ds.getRepository(AttemptEntity).find({
          where: { callbackId: In(callbacks.map((c) => c.callbackId)) },
          order: { attempt: 'ASC', logOffset: 'ASC' },
        })
      : [];
    const statuses = await this.ds
      .getRepository(DeliveryStatusEntity)
      .find({ where: { messageId }, order: { logPartition: 'ASC', logOffset: 'ASC' } });
    return {
      messageId,
      communicationId: message.communicationId,
      batchId: message.batchId,
      deliveryStatuses: statuses.map((s) => ({
        status: s.status,
        channel: s.channel,
        previousStatus: s.previousStatus,
        errorCode: s.errorCode,
        at: s.occurredAt.toISOString(),
      })),
      callbacks: callbacks.map((c) => ({
        ...toCallbackDto(c),
        history: attempts.filter((a) => a.callbackId === c.callbackId).map(toAttemptDto),
      })),
    };
  }

  async communication(id: string): Promise<CommunicationDto> {
    const c = await this.ds.getRepository(CommunicationEntity).findOneBy({ communicationId: id });
    if (!c) throw notFound('communication', id);
    const counts: { state: CallbackState; n: string }[] = await this.ds
      .getRepository(CallbackEntity)
      .createQueryBuilder('c')
      .select('c.state', 'state')
      .addSelect('count(*)', 'n')
      .where('c.communication_id = :id', { id })
      .groupBy('c.state')
      .getRawMany();
    const callbackCounts = Object.fromEntries(CALLBACK_STATES.map((s) => [s, 0])) as Record<
      CallbackState,
      number
    >;
    for (const row of counts) callbackCounts[row.state] = Number(row.n);
    return {
      communicationId: c.communicationId,
      status: c.status,
      disabled:
        c.status === 'disabled'
          ? {
              at: iso(c.disabledAt),
              reason: c.disabledReason,
              by: c.disabledBy,
              callbackId: c.disabledCallbackId,
            }
          : null,
      enabled: c.enabledAt ? { at: iso(c.enabledAt), by: c.enabledBy, reason: c.enabledReason } : null,
      campaignId: c.campaignId,
      campaignMode: c.campaignMode,
      configuredAt: iso(c.configuredAt),
      callbacks: c.callbacks,
      notificationList: c.notificationList,
      callbackCounts,
    };
  }

  /** Keyset pagination by callback id: stable while new callbacks arrive. */
  async communicationCallbacks(
    id: string,
    state: CallbackState | undefined,
    after: string | undefined,
    limit: number,
  ): Promise<CallbackPageDto> {
    const exists = await this.ds.getRepository(CommunicationEntity).existsBy({ communicationId: id });
    if (!exists) throw notFound('communication', id);
    const qb = this.ds
      .getRepository(CallbackEntity)
      .createQueryBuilder('c')
      .where('c.communication_id = :id', { id })
      .orderBy('c.callback_id', 'ASC')
      .take(limit + 1);
    if (state) qb.andWhere('c.state = :state', { state });
    if (after !== undefined) qb.andWhere('c.callback_id > :after', { after });
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    return {
      items: page.map(toCallbackDto),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].callbackId) : null,
    };
  }

  async batch(batchId: string, includeMembers: boolean): Promise<BatchDto> {
    const b = await this.ds.getRepository(BatchEntity).findOneBy({ batchId });
    if (!b) throw notFound('batch', batchId);
    const members = this.ds.getRepository(BatchMemberEntity);
    const memberCount = await members.countBy({ batchId });
    const dto: BatchDto = {
      batchId: b.batchId,
      communicationId: b.communicationId,
      status: b.status,
      messageCount: b.messageCount,
      memberCount,
      completedAt: iso(b.completedAt),
    };
    if (includeMembers) {
      const limit = this.config.batchMembersLimit;
      const rows = await members.find({ where: { batchId }, order: { messageId: 'ASC' }, take: limit });
      dto.members = rows.map((m) => ({ messageId: m.messageId, memberAttributes: m.memberAttributes }));
      dto.membersTruncated = memberCount > limit;
    }
    return dto;
  }

  /** Appends CommunicationEnabled to the log; the projection applies it like any other event. */
  async enable(id: string, by: string, reason: string): Promise<{ eventId: string }> {
    const c = await this.ds.getRepository(CommunicationEntity).findOneBy({ communicationId: id });
    if (!c) throw notFound('communication', id);
    if (c.status !== 'disabled')
      throw new ApiError(HttpStatus.CONFLICT, 'not-disabled', `communication ${id} is not disabled`);
    // The automatic CommunicationDisabled is appended by the outbox relay a moment after the
    // failure is projected. An enable appended before it would be undone by it (on the log, the
    // disable would come last), so the operator is asked to retry once the disable is on the log.
    const pending: unknown[] = await this.ds.query(
      `SELECT 1 FROM ${quoteSchema(this.config.schema)}.outbox_events
        WHERE communication_id = $1 AND event_type = 'CommunicationDisabled' AND published_offset IS NULL LIMIT 1`,
      [id],
    );
    if (pending.length > 0) {
      throw new ApiError(
        HttpStatus.CONFLICT,
        'disable-pending',
        `communication ${id} is being disabled (CommunicationDisabled not yet on the log); retry in a few seconds`,
      );
    }
    const event: LogEventOf<'CommunicationEnabled'> = {
      id: randomUUID(),
      type: 'CommunicationEnabled',
      version: CURRENT_VERSION.CommunicationEnabled,
      occurredAt: new Date().toISOString(),
      communicationId: id,
      data: { by, reason },
    };
    await this.producer.send({
      topic: this.config.logTopic,
      acks: -1,
      messages: [
        {
          key: id,
          value: encodeEvent(event),
          headers: logHeadersOf(event),
        },
      ],
    });
    return { eventId: event.id };
  }
}

export const encodeCursor = (callbackId: string) =>
  Buffer.from(JSON.stringify({ after: callbackId })).toString('base64url');

/** Returns the callback id to continue after, or undefined when the cursor is not one of ours. */
export function decodeCursor(cursor: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    return typeof v.after === 'string' && v.after.length > 0 && v.after.length <= 300 ? v.after : undefined;
  } catch {
    return undefined;
  }
}

function toCallbackDto(c: CallbackEntity): CallbackDto {
  return {
    callbackId: c.callbackId,
    callbackConfigId: c.callbackConfigId,
    communicationId: c.communicationId,
    event: c.triggerType,
    triggerEventId: c.triggerEventId,
    messageId: c.messageId,
    method: c.method,
    url: c.url,
    state: c.state,
    attempts: c.attempts,
    lastStatusCode: c.lastStatusCode,
    lastError: c.lastErrorKind ? { kind: c.lastErrorKind, message: c.lastErrorMessage } : null,
    nextAttemptAt: iso(c.nextAttemptAt),
    createdAt: c.createdAt.toISOString(),
    finishedAt: iso(c.finishedAt),
  };
}

function toAttemptDto(a: AttemptEntity): AttemptDto {
  return {
    attempt: a.attempt,
    startedAt: a.startedAt.toISOString(),
    durationMs: a.durationMs,
    statusCode: a.statusCode,
    error: a.errorKind ? { kind: a.errorKind, message: a.errorMessage } : null,
    responseSnippet: a.responseSnippet,
    outcome: a.outcome,
    nextAttemptAt: iso(a.nextAttemptAt),
    url: a.url,
  };
}
