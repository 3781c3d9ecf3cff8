import {
  CURRENT_VERSION,
  LIMITS,
  encodeEvent,
  validateEvent,
  type LogEvent,
  type LogEventOf,
} from '@app/contracts';
import type { CallbackRow } from '../projection/projection.schema';

/** What a resend needs from the projection: the callback and the event that triggered it. */
export type ResendSource = Pick<
  CallbackRow,
  'callbackId' | 'communicationId' | 'callbackConfigId' | 'method' | 'attempts'
> & {
  /** The triggering event as it was on the log (trigger_events), null when it was not kept. */
  trigger: unknown;
};

export type BuiltResend =
  | { ok: true; event: LogEventOf<'CallbackResendRequested'> }
  | { ok: false; code: 'trigger-unavailable' | 'too-many-attempts' | 'too-large'; message: string };

/**
 * The `CallbackResendRequested` for one callback: one more attempt (its attempts + 1) of the same
 * trigger, with the same idempotency key (the callback id). Refused when the triggering event was
 * not kept (callbacks projected before resends existed), when the attempt count would pass the
 * contract's 100, or when the event would exceed the log's event size limit.
 */
export function buildResend(
  source: ResendSource,
  who: { by: string; reason: string; adminKey?: string },
  ids: { eventId: string; occurredAt: string; recoveryId: string | null },
): BuiltResend {
  if (source.trigger === null) {
    return {
      ok: false,
      code: 'trigger-unavailable',
      message: `the event that triggered callback ${source.callbackId} was not kept (projected before resends existed)`,
    };
  }
  if (source.attempts >= 100) {
    return {
      ok: false,
      code: 'too-many-attempts',
      message: `callback ${source.callbackId} had 100 attempts`,
    };
  }
  const candidate = {
    id: ids.eventId,
    type: 'CallbackResendRequested',
    version: CURRENT_VERSION.CallbackResendRequested,
    occurredAt: ids.occurredAt,
    communicationId: source.communicationId,
    data: {
      callbackId: source.callbackId,
      callbackConfigId: source.callbackConfigId,
      method: source.method,
      attempt: source.attempts + 1,
      trigger: source.trigger,
      by: who.by,
      reason: who.reason,
      ...(who.adminKey !== undefined && { adminKey: who.adminKey }),
      recoveryId: ids.recoveryId,
    },
  };
  const checked = validateEvent(candidate, 'stored');
  if (!checked.ok)
    throw new Error(`a resend of ${source.callbackId} is invalid: ${checked.rejection.message}`);
  if (encodeEvent(checked.event).length > LIMITS.maxEventBytes) {
    return {
      ok: false,
      code: 'too-large',
      message: `a resend of ${source.callbackId} with its trigger would exceed ${LIMITS.maxEventBytes} bytes`,
    };
  }
  return { ok: true, event: checked.event as LogEvent as LogEventOf<'CallbackResendRequested'> };
}
