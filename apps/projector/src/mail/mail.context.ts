import { redactUrl } from '@app/platform/secrets/redact';
import type { DataSource } from 'typeorm';
import { quoteSchema } from '../database/schema-name';
import type { FailureEmailContext } from './mail.renderer';

/** One attempt in words: the HTTP status or the error, never a response header or credential. */
export function describeAttempt(a: {
  status_code: number | null;
  error_kind: string | null;
  error_message: string | null;
  outcome: string;
}): string {
  const result = a.error_kind
    ? `${a.error_kind}${a.error_message ? `: ${a.error_message}` : ''}`
    : a.status_code !== null
      ? `HTTP ${a.status_code}`
      : 'no response';
  return `${result} (${a.outcome})`;
}

/** An email row as the sender reads it. */
export interface EmailToSend {
  email_id: string;
  communication_id: string;
  callback_id: string;
  cause_event_id: string;
  to_address: string;
  created_at: Date;
  attempts: number;
  kind: 'disabled' | 'follow-up';
  sequence: number;
}

/** Loads what a failure email shows from the projection (committed before the email row). */
export async function loadFailureContext(
  ds: DataSource,
  schema: string,
  email: EmailToSend,
  publicBaseUrl: string,
): Promise<FailureEmailContext> {
  const s = quoteSchema(schema);
  const [comm] = await ds.query(`SELECT * FROM ${s}.communications WHERE communication_id = $1`, [
    email.communication_id,
  ]);
  const [cb] = await ds.query(`SELECT * FROM ${s}.callbacks WHERE callback_id = $1`, [email.callback_id]);
  const attempts: {
    attempt: number;
    started_at: Date;
    duration_ms: number;
    status_code: number | null;
    error_kind: string | null;
    error_message: string | null;
    outcome: string;
  }[] = await ds.query(`SELECT * FROM ${s}.attempts WHERE callback_id = $1 ORDER BY attempt, log_offset`, [
    email.callback_id,
  ]);
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  // The digest counts only while this disable lasts; after a re-enable the counters are another's.
  const sameDisable = comm?.disabled_cause_event_id === email.cause_event_id;
  const failed = sameDisable ? Number(comm.disabled_failed) : 0;
  const cancelled = sameDisable ? Number(comm.disabled_cancelled) : 0;
  let followUp: FailureEmailContext['digest']['followUp'] = null;
  if (email.kind === 'follow-up') {
    const [before] = await ds.query(
      `SELECT coalesce(max(reported_failed), 0)::int AS f, coalesce(max(reported_cancelled), 0)::int AS c
         FROM ${s}.notification_emails WHERE cause_event_id = $1 AND sequence < $2`,
      [email.cause_event_id, email.sequence],
    );
    followUp = {
      sequence: email.sequence,
      newFailed: Math.max(0, failed - Number(before?.f ?? 0)),
      newCancelled: Math.max(0, cancelled - Number(before?.c ?? 0)),
    };
  }
  const communicationUrl = `${publicBaseUrl}/v1/communications/${encodeURIComponent(email.communication_id)}`;
  return {
    communicationId: email.communication_id,
    campaignId: comm?.campaign_id ?? null,
    campaignMode: comm?.campaign_mode ?? null,
    status: comm?.status ?? 'disabled',
    disabledAt: iso(comm?.disabled_at),
    disabledReason: comm?.disabled_reason ?? null,
    failedAt: email.created_at.toISOString(),
    callback: {
      callbackId: email.callback_id,
      triggerType: cb?.trigger_type ?? 'unknown',
      method: cb?.method ?? 'unknown',
      url: cb?.url ? redactUrl(cb.url) : '(not rendered)',
      messageId: cb?.message_id ?? null,
    },
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: a.started_at.toISOString(),
      durationMs: a.duration_ms,
      result: describeAttempt(a),
    })),
    gone: attempts.at(-1)?.error_kind === 'gone',
    digest: { failed, cancelled, followUp },
    consoleUrl: `${publicBaseUrl}/console/communications/${encodeURIComponent(email.communication_id)}`,
    enable: {
      url: `${communicationUrl}/enable`,
      body: '{ "by": "<your name>", "reason": "<why it is safe to call the application again>" }',
    },
    recover: {
      url: `${communicationUrl}/recover`,
      body: `{ "since": "${iso(comm?.disabled_at) ?? email.created_at.toISOString()}", "states": ["failed", "cancelled"], "by": "<your name>", "reason": "<why>" }`,
    },
  };
}
