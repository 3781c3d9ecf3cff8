import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { CURRENT_VERSION, enableRefusal, type LogEventOf } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ProjectorConfig } from '../config/projector.config';
import { quoteSchema } from '../database/schema.name';
import { rowFrom } from '../projection/column.types';
import { SCHEMA, type CallbackRow, type CommunicationRow } from '../projection/projection.schema';
import { isDisablePending } from '../outbox/disable-pending.query';
import { appendToLog } from '../outbox/log.append';
import { ProjectorRuntime } from '../projector.runtime';
import { PROJECTOR_CONFIG } from '../projector.tokens';
import { buildResend } from '../recovery/resend.event';
import { ApiError, notFound } from './api.errors';

/** Who asks, why, and with which admin key: recorded on the log with every write. */
export interface Operator {
  by: string;
  reason: string;
  adminKey: string;
}

const conflict = (code: string, message: string) => new ApiError(HttpStatus.CONFLICT, code, message);

/**
 * The write side of the API (decision 0624): each request becomes one event on the log, and the
 * projection (and the dispatcher) apply it like any other. Nothing here changes a row directly.
 */
@Injectable()
export class OperationsService {
  constructor(
    private readonly ds: DataSource,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
    private readonly runtime: ProjectorRuntime,
  ) {}

  /** Appends CommunicationEnabled: callbacks are sent again from the next event on. */
  async enable(id: string, who: Operator): Promise<{ eventId: string }> {
    this.mustProject();
    const c = await this.communication(id);
    // The automatic CommunicationDisabled is appended by the outbox relay a moment after the
    // failure is projected; the operator is asked to retry once it is on the log (`enableRefusal`).
    const pending = c.status === 'disabled' && (await isDisablePending(this.ds, this.config.schema, id));
    const refusal = enableRefusal({ enabled: c.status === 'active' }, pending);
    if (refusal === 'not-disabled') throw conflict(refusal, `communication ${id} is not disabled`);
    if (refusal === 'disable-pending') {
      throw conflict(
        refusal,
        `communication ${id} is being disabled (CommunicationDisabled not yet on the log); retry in a few seconds`,
      );
    }
    const event: LogEventOf<'CommunicationEnabled'> = {
      ...this.envelope('CommunicationEnabled', id),
      data: { by: who.by, reason: who.reason, adminKey: who.adminKey },
    };
    await appendToLog(this.runtime.producer, this.config.logTopic, [event]);
    return { eventId: event.id };
  }

  /** Appends CallbackResendRequested: one more attempt of a failed or cancelled callback. */
  async resend(
    callbackId: string,
    who: Operator,
  ): Promise<{ eventId: string; callbackId: string; attempt: number }> {
    const cb = await this.callback(callbackId);
    if (cb.state !== 'failed' && cb.state !== 'cancelled') {
      throw conflict(
        'not-resendable',
        `callback ${callbackId} is ${cb.state}; only failed or cancelled callbacks are resent`,
      );
    }
    const c = await this.communication(cb.communicationId);
    this.mustBeActive(c);
    if (!c.callbacks.some((x) => x.id === cb.callbackConfigId)) {
      throw conflict(
        'not-configured',
        `communication ${c.communicationId} no longer configures callback ${cb.callbackConfigId}`,
      );
    }
    const [trigger]: { payload: unknown }[] = await this.ds.query(
      `SELECT payload FROM ${quoteSchema(this.config.schema)}.trigger_events WHERE event_id = $1`,
      [cb.triggerEventId],
    );
    const built = buildResend({ ...cb, trigger: trigger?.payload ?? null }, who, {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      recoveryId: null,
    });
    if (!built.ok) throw conflict(built.code, built.message);
    await appendToLog(this.runtime.producer, this.config.logTopic, [built.event]);
    return { eventId: built.event.id, callbackId, attempt: built.event.data.attempt };
  }

  /**
   * Appends CommunicationRecoveryRequested; the projector's recovery worker then resends, in order
   * and at a bounded rate, every callback in `states` created between `since` and now.
   */
  async recover(
    id: string,
    request: { since: string; states: ('failed' | 'cancelled')[] },
    who: Operator,
  ): Promise<{ recoveryId: string; eventId: string; planned: number }> {
    this.mustProject();
    const c = await this.communication(id);
    this.mustBeActive(c);
    const event: LogEventOf<'CommunicationRecoveryRequested'> = {
      ...this.envelope('CommunicationRecoveryRequested', id),
      data: {
        recoveryId: randomUUID(),
        since: request.since,
        states: [...new Set(request.states)],
        by: who.by,
        reason: who.reason,
        adminKey: who.adminKey,
      },
    };
    // Inclusive at both ends, as the recovery worker's query is.
    const [{ planned }]: { planned: number }[] = await this.ds.query(
      `SELECT count(*)::int AS planned FROM ${quoteSchema(this.config.schema)}.callbacks
        WHERE communication_id = $1 AND state = ANY($2::text[]) AND created_at BETWEEN $3 AND $4`,
      [id, event.data.states, new Date(request.since), new Date(event.occurredAt)],
    );
    await appendToLog(this.runtime.producer, this.config.logTopic, [event]);
    return { recoveryId: event.data.recoveryId, eventId: event.id, planned };
  }

  /**
   * A write decided on a projection that is not of the log it would be appended to (refused or
   * being rebuilt, decision 0642) could resend another log's callbacks: refused until it is.
   */
  private mustProject(): void {
    const projection = this.runtime.status();
    if (projection.state !== 'projecting') {
      throw new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'projection-unavailable',
        `the projection is ${projection.state}: writes wait until it projects the log again`,
      );
    }
  }

  private async communication(id: string): Promise<CommunicationRow> {
    const [c]: Record<string, unknown>[] = await this.ds.query(
      `SELECT * FROM ${quoteSchema(this.config.schema)}.communications WHERE communication_id = $1`,
      [id],
    );
    if (!c) throw notFound('communication', id);
    return rowFrom(SCHEMA.communications, c);
  }

  private async callback(id: string): Promise<CallbackRow> {
    const [c]: Record<string, unknown>[] = await this.ds.query(
      `SELECT * FROM ${quoteSchema(this.config.schema)}.callbacks WHERE callback_id = $1`,
      [id],
    );
    if (!c) throw notFound('callback', id);
    return rowFrom(SCHEMA.callbacks, c);
  }

  /** Resending to a disabled communication would only be cancelled: re-enable first. */
  private mustBeActive(c: CommunicationRow): void {
    if (c.status !== 'active') {
      throw conflict(
        'communication-disabled',
        `communication ${c.communicationId} is disabled: re-enable it first`,
      );
    }
  }

  private envelope<T extends 'CommunicationEnabled' | 'CommunicationRecoveryRequested'>(type: T, id: string) {
    return {
      id: randomUUID(),
      type,
      version: CURRENT_VERSION[type],
      occurredAt: new Date().toISOString(),
      communicationId: id,
    };
  }
}
