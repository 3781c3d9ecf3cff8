import {
  CURRENT_VERSION,
  LIMITS,
  type AttemptErrorKind,
  type CallbackConfig,
  type LogEventOf,
} from '@app/contracts';
import type { AttemptVerdict } from './retry.policy';
import { messageIdOf, type TriggeringEvent } from './triggering.event';

/** Fields shared by every event about one callback. */
export interface CallbackRef {
  callbackId: string;
  callbackConfigId: string;
  triggerEventId: string;
  triggerType: TriggeringEvent['type'];
  messageId: string | null;
  method: 'GET' | 'POST';
  /** Redacted (no userinfo) rendered URL, or null when it could not be rendered. */
  url: string | null;
}

/** Envelope facts chosen by the caller, so these builders stay pure. */
export interface Stamp {
  eventId: string;
  occurredAt: Date;
}

/** What one attempt produced, as far as the event needs it. */
export interface AttemptRecord {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  responseSnippet: string | null;
  /** The delay a 429/503 asked for with `Retry-After`; null when it did not. */
  retryAfterMs: number | null;
}

/** How an attempt is recorded: the policy's verdict, or cancelled (disabled while it ran). */
export type RecordedVerdict =
  AttemptVerdict | { outcome: 'cancelled'; error: { kind: AttemptErrorKind; message: string } };

export function callbackRef(
  callbackId: string,
  callback: CallbackConfig,
  trigger: TriggeringEvent,
  redactedUrl: string | null,
): CallbackRef {
  return {
    callbackId,
    callbackConfigId: callback.id,
    triggerEventId: trigger.id,
    triggerType: trigger.type,
    messageId: messageIdOf(trigger),
    method: callback.method,
    url: redactedUrl === null ? null : redactedUrl.slice(0, LIMITS.maxRenderedUrlLength),
  };
}

const text = (s: string) => s.slice(0, LIMITS.maxTextLength);
const errorOf = (e: { kind: AttemptErrorKind; message: string }) => ({
  kind: e.kind,
  message: text(e.message),
});

export function attemptedEvent(
  communicationId: string,
  ref: CallbackRef,
  record: AttemptRecord,
  verdict: RecordedVerdict,
  stamp: Stamp,
): LogEventOf<'CallbackAttempted'> {
  return {
    id: stamp.eventId,
    type: 'CallbackAttempted',
    version: CURRENT_VERSION.CallbackAttempted,
    occurredAt: stamp.occurredAt.toISOString(),
    communicationId,
    data: {
      ...ref,
      attempt: record.attempt,
      startedAt: record.startedAt.toISOString(),
      durationMs: Math.max(0, Math.round(record.durationMs)),
      statusCode: validStatus(record.statusCode),
      error: verdict.outcome === 'succeeded' ? null : errorOf(verdict.error),
      responseSnippet:
        record.responseSnippet === null
          ? null
          : record.responseSnippet.slice(0, LIMITS.maxResponseSnippetBytes),
      outcome: verdict.outcome,
      nextAttemptAt: verdict.outcome === 'retrying' ? verdict.nextAttemptAt.toISOString() : null,
      ...(record.retryAfterMs !== null && { retryAfterMs: record.retryAfterMs }),
    },
  };
}

export function failedEvent(
  communicationId: string,
  ref: CallbackRef,
  attempts: number,
  reason: { kind: AttemptErrorKind; message: string },
  lastStatusCode: number | null,
  activeSince: string | null,
  stamp: Stamp,
): LogEventOf<'CallbackFailed'> {
  return {
    id: stamp.eventId,
    type: 'CallbackFailed',
    version: CURRENT_VERSION.CallbackFailed,
    occurredAt: stamp.occurredAt.toISOString(),
    communicationId,
    data: {
      ...ref,
      attempts,
      reason: errorOf(reason),
      lastStatusCode: validStatus(lastStatusCode),
      activeSince,
    },
  };
}

export function cancelledEvent(
  communicationId: string,
  ref: CallbackRef,
  attempts: number,
  reason: LogEventOf<'CallbackCancelled'>['data']['reason'],
  stamp: Stamp,
): LogEventOf<'CallbackCancelled'> {
  return {
    id: stamp.eventId,
    type: 'CallbackCancelled',
    version: CURRENT_VERSION.CallbackCancelled,
    occurredAt: stamp.occurredAt.toISOString(),
    communicationId,
    data: { ...ref, attempts, reason },
  };
}

/** The contract accepts 100–599; anything else a broken server sends is recorded as no status. */
const validStatus = (s: number | null) => (s !== null && s >= 100 && s <= 599 ? s : null);
