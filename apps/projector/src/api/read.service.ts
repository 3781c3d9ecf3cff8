import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, MoreThan } from 'typeorm';
import type { ProjectorConfig } from '../config/projector.config';
import { AttemptEntity } from '../database/entities/attempt.entity';
import { BatchMemberEntity } from '../database/entities/batch-member.entity';
import { BatchEntity } from '../database/entities/batch.entity';
import { CallbackEntity } from '../database/entities/callback.entity';
import { CommunicationEntity } from '../database/entities/communication.entity';
import { DeliveryStatusEntity } from '../database/entities/delivery-status.entity';
import { MessageEntity } from '../database/entities/message.entity';
import { CALLBACK_STATES, type CallbackState } from '../projection/projection.schema';
import { PROJECTOR_CONFIG } from '../projector.tokens';
import type {
  AttemptDto,
  AttemptPageDto,
  BatchDto,
  CallbackDto,
  CallbackPageDto,
  CommunicationDto,
  CommunicationPageDto,
  CommunicationStatusDto,
  CommunicationSummaryDto,
  MessageCallbacksDto,
  RecoveryDto,
} from './api.dto';
import { quoteSchema } from '../database/schema-name';
import type { RecoveryDbRow } from '../recovery/recovery.worker';
import { notFound } from './api.errors';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Queries behind the read API; returns DTOs mapped from rows. */
@Injectable()
export class ReadService {
  constructor(
    private readonly ds: DataSource,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
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

  /** `withCounts: false` skips counting the callbacks (the console counts them per configured callback). */
  async communication(id: string, { withCounts = true } = {}): Promise<CommunicationDto> {
    const c = await this.ds.getRepository(CommunicationEntity).findOneBy({ communicationId: id });
    if (!c) throw notFound('communication', id);
    const counts: { state: CallbackState; n: string }[] = !withCounts
      ? []
      : await this.ds
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
      ...statusOf(c),
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

  /** The communications, optionally of one status, keyset by communication id. */
  async communications(
    status: 'active' | 'disabled' | undefined,
    after: string | undefined,
    limit: number,
  ): Promise<CommunicationPageDto> {
    const rows = await this.ds.getRepository(CommunicationEntity).find({
      where: {
        ...(status && { status }),
        ...(after !== undefined && { communicationId: MoreThan(after) }),
      },
      order: { communicationId: 'ASC' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map((c): CommunicationSummaryDto => ({
        ...statusOf(c),
        campaignId: c.campaignId,
        updatedAt: c.updatedAt.toISOString(),
      })),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].communicationId) : null,
    };
  }

  /**
   * Every attempt of a communication in log order (all its events share one partition), including
   * those of CommunicationCompleted callbacks, which belong to no message. Keyset by log position.
   */
  async communicationAttempts(
    id: string,
    after: { partition: number; offset: string } | undefined,
    limit: number,
  ): Promise<AttemptPageDto> {
    const exists = await this.ds.getRepository(CommunicationEntity).existsBy({ communicationId: id });
    if (!exists) throw notFound('communication', id);
    const qb = this.ds
      .getRepository(AttemptEntity)
      .createQueryBuilder('a')
      .where('a.communication_id = :id', { id })
      .orderBy('a.log_partition', 'ASC')
      .addOrderBy('a.log_offset', 'ASC')
      .take(limit + 1);
    if (after) {
      qb.andWhere('(a.log_partition, a.log_offset) > (:p, CAST(:o AS bigint))', {
        p: after.partition,
        o: after.offset,
      });
    }
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((a) => ({
        ...toAttemptDto(a),
        callbackId: a.callbackId,
        // Callback ids are `<triggerEventId>.<callbackConfigId>` (callbackIdOf); a UUID has no dot.
        callbackConfigId: a.callbackId.slice(a.callbackId.indexOf('.') + 1),
        event: a.triggerType,
        messageId: a.messageId,
        position: { partition: a.logPartition, offset: String(a.logOffset) },
      })),
      nextCursor: rows.length > limit ? encodeCursor(`${last.logPartition}:${last.logOffset}`) : null,
    };
  }

  /** The recoveries of a communication, newest first, with how far each has got. */
  async recoveries(id: string): Promise<RecoveryDto[]> {
    const exists = await this.ds.getRepository(CommunicationEntity).existsBy({ communicationId: id });
    if (!exists) throw notFound('communication', id);
    const rows: RecoveryDbRow[] = await this.ds.query(
      `SELECT * FROM ${quoteSchema(this.config.schema)}.recoveries WHERE communication_id = $1
        ORDER BY requested_at DESC, recovery_id LIMIT 100`,
      [id],
    );
    return rows.map((r) => ({
      recoveryId: r.recovery_id,
      communicationId: id,
      since: r.since.toISOString(),
      states: r.states,
      by: r.requested_by,
      reason: r.reason,
      adminKey: r.admin_key,
      requestedAt: r.requested_at.toISOString(),
      resent: r.resent,
      finishedAt: iso(r.finished_at),
    }));
  }

  /**
   * The batch; with members, one page of them in message id order: a 100,000-member batch is
   * never loaded by one request (decision 0628).
   */
  async batch(
    batchId: string,
    members: { after: string | undefined; limit: number } | null,
  ): Promise<BatchDto> {
    const b = await this.ds.getRepository(BatchEntity).findOneBy({ batchId });
    if (!b) throw notFound('batch', batchId);
    const repo = this.ds.getRepository(BatchMemberEntity);
    const memberCount = await repo.countBy({ batchId });
    const dto: BatchDto = {
      batchId: b.batchId,
      communicationId: b.communicationId,
      status: b.status,
      messageCount: b.messageCount,
      memberCount,
      completedAt: iso(b.completedAt),
    };
    if (members) {
      const rows = await repo.find({
        where: { batchId, ...(members.after !== undefined && { messageId: MoreThan(members.after) }) },
        order: { messageId: 'ASC' },
        take: members.limit + 1,
      });
      const page = rows.slice(0, members.limit);
      dto.members = page.map((m) => ({ messageId: m.messageId, memberAttributes: m.memberAttributes }));
      dto.membersNextCursor =
        rows.length > members.limit ? encodeCursor(page[page.length - 1].messageId) : null;
    }
    return dto;
  }
}

/** An opaque cursor: the key to continue after (a callback, communication or message id, a log position). */
export const encodeCursor = (after: string) => Buffer.from(JSON.stringify({ after })).toString('base64url');

/** Returns the key to continue after, or undefined when the cursor is not one of ours. */
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
    retryAfterMs: a.retryAfterMs,
    url: a.url,
  };
}

/** Status, disable and enable of a communication, as the single view and the list show them. */
function statusOf(c: CommunicationEntity): CommunicationStatusDto {
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
            failedSince: c.disabledFailed,
            cancelledSince: c.disabledCancelled,
          }
        : null,
    enabled: c.enabledAt ? { at: iso(c.enabledAt), by: c.enabledBy, reason: c.enabledReason } : null,
  };
}
