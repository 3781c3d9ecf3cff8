import { Inject, Injectable } from '@nestjs/common';
import { callbackIdOf } from '@app/contracts';
import { DataSource } from 'typeorm';
import type { ProjectorConfig } from '../config/projector.config';
import { quoteSchema } from '../database/schema.name';
import { disablePendingSql } from '../outbox/disable-pending.query';
import { PROJECTOR_CONFIG } from '../projector.tokens';
import { queryRows, rowFrom, type AnyTableDefinition, type StoredRowOf } from '../projection/column.types';
import {
  SCHEMA,
  type AttemptRow,
  type CallbackRow,
  type CommunicationRow,
  type MessageRow,
} from '../projection/projection.schema';
import type { StatusFilter } from './console.views';

/**
 * The console's own reads, beside ReadService (which it uses for what the API already answers).
 * Every query is bounded by a LIMIT and walks an index: keyset pagination, no COUNT over a whole
 * table (decision 0723; figures in docs/performance.md).
 */

/** A line of the communications list: the row's columns it shows, and whether its disable is on the log yet. */
export type CommunicationLine = Pick<
  CommunicationRow,
  'communicationId' | 'campaignId' | 'status' | 'disabledAt' | 'disabledReason' | 'updatedAt'
> & { disablePending: boolean };

/** Disabled communications come first: rank 0, then active ones: rank 1; keyset on (rank, id). */
const RANK = `(CASE WHEN c.status = 'disabled' THEN 0 ELSE 1 END)`;
export interface ListCursor {
  rank: number;
  id: string;
}

@Injectable()
export class ConsoleQueries {
  private readonly s: string;

  constructor(
    private readonly ds: DataSource,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
  ) {
    this.s = quoteSchema(config.schema);
  }

  /** Rows of one table, typed by its definition (`projection.schema.ts`). */
  private async rows<D extends AnyTableDefinition>(
    definition: D,
    sql: string,
    params: unknown[],
  ): Promise<StoredRowOf<D>[]> {
    return queryRows((q, p) => this.ds.query(q, p), definition, sql, params);
  }

  async communications(
    filter: StatusFilter | undefined,
    after: ListCursor | undefined,
    limit: number,
  ): Promise<{ rows: CommunicationLine[]; next: ListCursor | null }> {
    const pending = disablePendingSql(this.config.schema, 'c.communication_id');
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter === 'active') where.push(`c.status = 'active'`);
    if (filter === 'disabled') where.push(`c.status = 'disabled' AND NOT ${pending}`);
    if (filter === 'disable-pending') where.push(`c.status = 'disabled' AND ${pending}`);
    if (after) {
      params.push(after.rank, after.id);
      where.push(`(${RANK}, c.communication_id) > ($1::int, $2::text)`);
    }
    params.push(limit + 1);
    const records: (Record<string, unknown> & { rank: number; disable_pending: boolean })[] =
      await this.ds.query(
        `SELECT c.communication_id, c.campaign_id, c.status, c.disabled_at, c.disabled_reason, c.updated_at,
              ${RANK} AS rank, (c.status = 'disabled' AND ${pending}) AS disable_pending
         FROM ${this.s}.communications c
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${RANK}, c.communication_id
        LIMIT $${params.length}`,
        params,
      );
    const page = records.slice(0, limit);
    const last = page.at(-1);
    return {
      rows: page.map((r) => ({ ...rowFrom(SCHEMA.communications, r), disablePending: r.disable_pending })),
      next: records.length > limit && last ? { rank: last.rank, id: String(last.communication_id) } : null,
    };
  }

  /** Callbacks by state of a few communications (one page of the list), from the (communication, state) index. */
  async stateCounts(ids: string[]): Promise<{ communication_id: string; state: string; n: number }[]> {
    if (ids.length === 0) return [];
    return this.ds.query(
      `SELECT communication_id, state, count(*)::int AS n FROM ${this.s}.callbacks
        WHERE communication_id = ANY($1::text[]) GROUP BY 1, 2`,
      [ids],
    );
  }

  async configCounts(id: string): Promise<{ callbackConfigId: string; state: string; n: number }[]> {
    return this.ds.query(
      `SELECT callback_config_id AS "callbackConfigId", state, count(*)::int AS n FROM ${this.s}.callbacks
        WHERE communication_id = $1 GROUP BY 1, 2`,
      [id],
    );
  }

  /** The disables the projector decided for a communication, newest first (its outbox). */
  async disables(
    id: string,
  ): Promise<{ at: Date; reason: string; by: string; callbackId: string; onLog: boolean }[]> {
    const rows: {
      created_at: Date;
      payload: { data: { reason: string; by: string; callbackId: string } };
      published_offset: string | null;
    }[] = await this.ds.query(
      `SELECT created_at, payload, published_offset FROM ${this.s}.outbox_events
          WHERE communication_id = $1 AND event_type = 'CommunicationDisabled'
          ORDER BY created_at DESC LIMIT 20`,
      [id],
    );
    return rows.map((r) => ({
      at: r.created_at,
      reason: r.payload.data.reason,
      by: r.payload.data.by,
      callbackId: r.payload.data.callbackId,
      onLog: r.published_offset !== null,
    }));
  }

  /** The newest attempts of a communication (its events share one partition: log order is time order). */
  async recentAttempts(id: string, limit: number): Promise<AttemptRow[]> {
    return this.rows(
      SCHEMA.attempts,
      `SELECT * FROM ${this.s}.attempts WHERE communication_id = $1
        ORDER BY log_partition DESC, log_offset DESC LIMIT $2`,
      [id, limit],
    );
  }

  async attemptsOf(callbackIds: string[]): Promise<AttemptRow[]> {
    if (callbackIds.length === 0) return [];
    return this.rows(
      SCHEMA.attempts,
      `SELECT * FROM ${this.s}.attempts WHERE callback_id = ANY($1::text[])
        ORDER BY callback_id, attempt, log_partition, log_offset LIMIT 1000`,
      [callbackIds],
    );
  }

  async callbacks(callbackIds: string[]): Promise<CallbackRow[]> {
    if (callbackIds.length === 0) return [];
    return this.rows(
      SCHEMA.callbacks,
      `SELECT * FROM ${this.s}.callbacks WHERE callback_id = ANY($1::text[]) ORDER BY callback_id`,
      [callbackIds],
    );
  }

  /** The callbacks a CommunicationCompleted fired: their ids follow from the event and the configuration. */
  async completionCallbacks(
    communicationId: string,
    completedEventId: string | null,
  ): Promise<CallbackRow[]> {
    if (!completedEventId) return [];
    const [c]: { callbacks: { id: string; event: string }[] }[] = await this.ds.query(
      `SELECT callbacks FROM ${this.s}.communications WHERE communication_id = $1`,
      [communicationId],
    );
    const ids = (c?.callbacks ?? [])
      .filter((cb) => cb.event === 'CommunicationCompleted')
      .map((cb) => callbackIdOf(completedEventId, cb.id));
    return this.callbacks(ids);
  }

  async completedEventOf(batchId: string): Promise<string | null> {
    const [b]: { completed_event_id: string | null }[] = await this.ds.query(
      `SELECT completed_event_id FROM ${this.s}.batches WHERE batch_id = $1`,
      [batchId],
    );
    return b?.completed_event_id ?? null;
  }

  async message(
    messageId: string,
  ): Promise<Pick<MessageRow, 'memberAttributes' | 'sentAt' | 'lastEventType'> | null> {
    const [m] = await this.rows(
      SCHEMA.messages,
      `SELECT member_attributes, sent_at, last_event_type FROM ${this.s}.messages WHERE message_id = $1`,
      [messageId],
    );
    return m ?? null;
  }

  /** Attempts that did not succeed, newest first, keyset on (started_at, event_id) over a partial index. */
  async failedAttempts(
    after: { at: string; id: string } | undefined,
    limit: number,
  ): Promise<{ rows: AttemptRow[]; next: { at: string; id: string } | null }> {
    const params: unknown[] = [limit + 1];
    let keyset = '';
    if (after) {
      params.push(after.at, after.id);
      keyset = `AND (started_at, event_id) < ($2::timestamptz, $3::uuid)`;
    }
    const rows = await this.rows(
      SCHEMA.attempts,
      `SELECT * FROM ${this.s}.attempts WHERE outcome <> 'succeeded' ${keyset}
        ORDER BY started_at DESC, event_id DESC LIMIT $1`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      rows: page,
      next: rows.length > limit && last ? { at: last.startedAt, id: last.eventId } : null,
    };
  }
}
