import { redactUrl } from '@app/platform/secrets/redact';
import type { DataSource } from 'typeorm';
import { quoteSchema } from '../database/schema.name';
import { rowFrom, type StoredRowOf } from '../projection/column.types';
import { SCHEMA, type AttemptRow } from '../projection/projection.schema';
import type { FailureEmailContext } from './mail.renderer';

/** One attempt in words: the HTTP status or the error, never a response header or credential. */
export function describeAttempt(
  a: Pick<AttemptRow, 'statusCode' | 'errorKind' | 'errorMessage' | 'outcome'>,
): string {
  const result = a.errorKind
    ? `${a.errorKind}${a.errorMessage ? `: ${a.errorMessage}` : ''}`
    : a.statusCode !== null
      ? `HTTP ${a.statusCode}`
      : 'no response';
  return `${result} (${a.outcome})`;
}

/** An email row as the sender reads it. */
export type EmailToSend = Pick<
  StoredRowOf<typeof SCHEMA.emails>,
  | 'emailId'
  | 'communicationId'
  | 'callbackId'
  | 'causeEventId'
  | 'toAddress'
  | 'createdAt'
  | 'attempts'
  | 'kind'
  | 'sequence'
>;

/** Loads what a failure email shows from the projection (committed before the email row). */
export async function loadFailureContext(
  ds: DataSource,
  schema: string,
  email: EmailToSend,
  publicBaseUrl: string,
): Promise<FailureEmailContext> {
  const s = quoteSchema(schema);
  const [commRecord] = await ds.query(`SELECT * FROM ${s}.communications WHERE communication_id = $1`, [
    email.communicationId,
  ]);
  const comm = commRecord ? rowFrom(SCHEMA.communications, commRecord) : undefined;
  const [cbRecord] = await ds.query(`SELECT * FROM ${s}.callbacks WHERE callback_id = $1`, [
    email.callbackId,
  ]);
  const cb = cbRecord ? rowFrom(SCHEMA.callbacks, cbRecord) : undefined;
  const attempts = (
    (await ds.query(`SELECT * FROM ${s}.attempts WHERE callback_id = $1 ORDER BY attempt, log_offset`, [
      email.callbackId,
    ])) as Record<string, unknown>[]
  ).map((r) => rowFrom(SCHEMA.attempts, r));
  // The digest counts only while this disable lasts; after a re-enable the counters are another's.
  const sameDisable = comm?.disabledCauseEventId === email.causeEventId;
  const failed = sameDisable ? Number(comm?.disabledFailed) : 0;
  const cancelled = sameDisable ? Number(comm?.disabledCancelled) : 0;
  let followUp: FailureEmailContext['digest']['followUp'] = null;
  if (email.kind === 'follow-up') {
    const [before] = await ds.query(
      `SELECT coalesce(max(reported_failed), 0)::int AS f, coalesce(max(reported_cancelled), 0)::int AS c
         FROM ${s}.notification_emails WHERE cause_event_id = $1 AND sequence < $2`,
      [email.causeEventId, email.sequence],
    );
    followUp = {
      sequence: email.sequence,
      newFailed: Math.max(0, failed - Number(before?.f ?? 0)),
      newCancelled: Math.max(0, cancelled - Number(before?.c ?? 0)),
    };
  }
  const communicationUrl = `${publicBaseUrl}/v1/communications/${encodeURIComponent(email.communicationId)}`;
  return {
    communicationId: email.communicationId,
    campaignId: comm?.campaignId ?? null,
    campaignMode: comm?.campaignMode ?? null,
    status: comm?.status ?? 'disabled',
    disabledAt: comm?.disabledAt ?? null,
    disabledReason: comm?.disabledReason ?? null,
    failedAt: email.createdAt,
    callback: {
      callbackId: email.callbackId,
      triggerType: cb?.triggerType ?? 'unknown',
      method: cb?.method ?? 'unknown',
      url: cb?.url ? redactUrl(cb.url) : '(not rendered)',
      messageId: cb?.messageId ?? null,
    },
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: a.startedAt,
      durationMs: a.durationMs,
      result: describeAttempt(a),
    })),
    gone: attempts.at(-1)?.errorKind === 'gone',
    digest: { failed, cancelled, followUp },
    consoleUrl: `${publicBaseUrl}/console/communications/${encodeURIComponent(email.communicationId)}`,
    enable: {
      url: `${communicationUrl}/enable`,
      body: '{ "by": "<your name>", "reason": "<why it is safe to call the application again>" }',
    },
    recover: {
      url: `${communicationUrl}/recover`,
      body: `{ "since": "${comm?.disabledAt ?? email.createdAt}", "states": ["failed", "cancelled"], "by": "<your name>", "reason": "<why>" }`,
    },
  };
}
