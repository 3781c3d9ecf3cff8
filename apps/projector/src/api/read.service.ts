import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProjectorConfig } from '../config/projector.config';
import { quoteSchema } from '../database/schema.name';
import { queryRows, type AnyTableDefinition, type StoredRowOf } from '../projection/column.types';
import {
  CALLBACK_STATES,
  SCHEMA,
  type AttemptRow,
  type CallbackRow,
  type CallbackState,
  type CommunicationRow,
} from '../projection/projection.schema';
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
import { notFound } from './api.errors';

/** Queries behind the read API; returns DTOs mapped from rows. */
@Injectable()
export class ReadService {
  private readonly s: string;

  constructor(
    private readonly ds: DataSource,
    @Inject(PROJECTOR_CONFIG) config: ProjectorConfig,
  ) {
    this.s = quoteSchema(config.schema);
  }

  /** Rows of one table, typed by its definition (`projection.schema.ts`); `sql` follows `FROM <table>`. */
  private async rows<D extends AnyTableDefinition>(
    definition: D,
    sql: string,
    params: unknown[],
  ): Promise<StoredRowOf<D>[]> {
    const sqlOfTable = `SELECT * FROM ${this.s}.${definition.table} ${sql}`;
    return queryRows((q, p) => this.ds.query(q, p), definition, sqlOfTable, params);
  }

  private async exists(definition: AnyTableDefinition, sql: string, params: unknown[]): Promise<boolean> {
    const [r]: unknown[] = await this.ds.query(
      `SELECT 1 FROM ${this.s}.${definition.table} ${sql} LIMIT 1`,
      params,
    );
    return r !== undefined;
  }

  async messageCallbacks(messageId: string): Promise<MessageCallbacksDto> {
    const [message] = await this.rows(SCHEMA.messages, 'WHERE message_id = $1', [messageId]);
    if (!message) throw notFound('message', messageId);
    const callbacks = await this.rows(
      SCHEMA.callbacks,
      'WHERE message_id = $1 ORDER BY created_at, callback_id',
      [messageId],
    );
    const attempts = callbacks.length
      ? await this.rows(SCHEMA.attempts, 'WHERE callback_id = ANY($1::text[]) ORDER BY attempt, log_offset', [
          callbacks.map((c) => c.callbackId),
        ])
      : [];
    const statuses = await this.rows(
      SCHEMA.deliveryStatuses,
      'WHERE message_id = $1 ORDER BY log_partition, log_offset',
      [messageId],
    );
    return {
      messageId,
      communicationId: message.communicationId,
      batchId: message.batchId,
      deliveryStatuses: statuses.map((s) => ({
        status: s.status,
        channel: s.channel,
        previousStatus: s.previousStatus,
        errorCode: s.errorCode,
        at: s.occurredAt,
      })),
      callbacks: callbacks.map((c) => ({
        ...toCallbackDto(c),
        history: attempts.filter((a) => a.callbackId === c.callbackId).map(toAttemptDto),
      })),
    };
  }

  /** `withCounts: false` skips counting the callbacks (the console counts them per configured callback). */
  async communication(id: string, { withCounts = true } = {}): Promise<CommunicationDto> {
    const [c] = await this.rows(SCHEMA.communications, 'WHERE communication_id = $1', [id]);
    if (!c) throw notFound('communication', id);
    const counts: { state: CallbackState; n: string }[] = !withCounts
      ? []
      : await this.ds.query(
          `SELECT state, count(*) AS n FROM ${this.s}.callbacks WHERE communication_id = $1 GROUP BY state`,
          [id],
        );
    const callbackCounts = Object.fromEntries(CALLBACK_STATES.map((s) => [s, 0])) as Record<
      CallbackState,
      number
    >;
    for (const row of counts) callbackCounts[row.state] = Number(row.n);
    return {
      ...statusOf(c),
      campaignId: c.campaignId,
      campaignMode: c.campaignMode,
      configuredAt: c.configuredAt,
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
    if (!(await this.exists(SCHEMA.communications, 'WHERE communication_id = $1', [id]))) {
      throw notFound('communication', id);
    }
    const params: unknown[] = [id];
    let where = 'WHERE communication_id = $1';
    if (state) where += ` AND state = $${params.push(state)}`;
    if (after !== undefined) where += ` AND callback_id > $${params.push(after)}`;
    const rows = await this.rows(
      SCHEMA.callbacks,
      `${where} ORDER BY callback_id LIMIT $${params.push(limit + 1)}`,
      params,
    );
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
    const params: unknown[] = [];
    const where: string[] = [];
    if (status) where.push(`status = $${params.push(status)}`);
    if (after !== undefined) where.push(`communication_id > $${params.push(after)}`);
    const rows = await this.rows(
      SCHEMA.communications,
      `${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY communication_id LIMIT $${params.push(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map((c): CommunicationSummaryDto => ({
        ...statusOf(c),
        campaignId: c.campaignId,
        updatedAt: c.updatedAt,
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
    if (!(await this.exists(SCHEMA.communications, 'WHERE communication_id = $1', [id]))) {
      throw notFound('communication', id);
    }
    const params: unknown[] = [id];
    let where = 'WHERE communication_id = $1';
    if (after) {
      where += ` AND (log_partition, log_offset) > ($${params.push(after.partition)}, CAST($${params.push(after.offset)} AS bigint))`;
    }
    const rows = await this.rows(
      SCHEMA.attempts,
      `${where} ORDER BY log_partition, log_offset LIMIT $${params.push(limit + 1)}`,
      params,
    );
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
    if (!(await this.exists(SCHEMA.communications, 'WHERE communication_id = $1', [id]))) {
      throw notFound('communication', id);
    }
    const rows = await this.rows(
      SCHEMA.recoveries,
      'WHERE communication_id = $1 ORDER BY requested_at DESC, recovery_id LIMIT 100',
      [id],
    );
    return rows.map((r) => ({
      recoveryId: r.recoveryId,
      communicationId: id,
      since: r.since,
      states: r.states,
      by: r.requestedBy,
      reason: r.reason,
      adminKey: r.adminKey,
      requestedAt: r.requestedAt,
      resent: r.resent,
      finishedAt: r.finishedAt,
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
    const [b] = await this.rows(SCHEMA.batches, 'WHERE batch_id = $1', [batchId]);
    if (!b) throw notFound('batch', batchId);
    const [{ n: memberCount }]: { n: number }[] = await this.ds.query(
      `SELECT count(*)::int AS n FROM ${this.s}.${SCHEMA.batchMembers.table} WHERE batch_id = $1`,
      [batchId],
    );
    const dto: BatchDto = {
      batchId: b.batchId,
      communicationId: b.communicationId,
      status: b.status,
      messageCount: b.messageCount,
      memberCount,
      completedAt: b.completedAt,
    };
    if (members) {
      const params: unknown[] = [batchId];
      let where = 'WHERE batch_id = $1';
      if (members.after !== undefined) where += ` AND message_id > $${params.push(members.after)}`;
      const rows = await this.rows(
        SCHEMA.batchMembers,
        `${where} ORDER BY message_id LIMIT $${params.push(members.limit + 1)}`,
        params,
      );
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

function toCallbackDto(c: CallbackRow): CallbackDto {
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
    nextAttemptAt: c.nextAttemptAt,
    createdAt: c.createdAt,
    finishedAt: c.finishedAt,
  };
}

function toAttemptDto(a: AttemptRow): AttemptDto {
  return {
    attempt: a.attempt,
    startedAt: a.startedAt,
    durationMs: a.durationMs,
    statusCode: a.statusCode,
    error: a.errorKind ? { kind: a.errorKind, message: a.errorMessage } : null,
    responseSnippet: a.responseSnippet,
    outcome: a.outcome,
    nextAttemptAt: a.nextAttemptAt,
    retryAfterMs: a.retryAfterMs,
    url: a.url,
  };
}

/** Status, disable and enable of a communication, as the single view and the list show them. */
function statusOf(c: CommunicationRow): CommunicationStatusDto {
  return {
    communicationId: c.communicationId,
    status: c.status,
    disabled:
      c.status === 'disabled'
        ? {
            at: c.disabledAt,
            reason: c.disabledReason,
            by: c.disabledBy,
            callbackId: c.disabledCallbackId,
            failedSince: c.disabledFailed,
            cancelledSince: c.disabledCancelled,
          }
        : null,
    enabled: c.enabledAt ? { at: c.enabledAt, by: c.enabledBy, reason: c.enabledReason } : null,
  };
}
