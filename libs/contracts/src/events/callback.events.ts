import { z } from 'zod';
import { envelopeFields, idSchema, instantSchema, uuidSchema } from '../envelope/envelope';
import { LIMITS } from '../limits';
import { callbackEventTypeSchema, operatorFields, textSchema } from './shared';

/**
 * Internal events appended by the dispatcher. A *callback* is one configured callback fired for one
 * triggering event; its id is `callbackIdOf(triggerEventId, callbackConfigId)` and is also the
 * idempotency key the receiver sees on every attempt.
 */
export const callbackIdOf = (triggerEventId: string, callbackConfigId: string) =>
  `${triggerEventId}.${callbackConfigId}`;

/**
 * Why an attempt did not succeed. `status` = an HTTP status outside the success set; `gone` = the
 * receiver answered 410 Gone ("this endpoint no longer exists"), recorded apart so that operators
 * see it in the history and the email (it is a failed attempt like any other, decision 0631).
 */
export const ATTEMPT_ERROR_KINDS = [
  'status',
  'gone',
  'timeout',
  'connection-refused',
  'connection-reset',
  'dns',
  'tls',
  'blocked',
  'unresolved-variable',
  'invalid-url',
  'credentials',
  'network',
] as const;
export const attemptErrorKindSchema = z.enum(ATTEMPT_ERROR_KINDS);
export type AttemptErrorKind = z.infer<typeof attemptErrorKindSchema>;

const callbackRef = {
  callbackId: z.string().min(1).max(LIMITS.maxCallbackIdLength),
  /** The configured callback (`CommunicationConfigured.callbacks[].id`). */
  callbackConfigId: idSchema,
  /** The event that caused the callback and its type. */
  triggerEventId: uuidSchema,
  triggerType: callbackEventTypeSchema,
  /** The message, for message events; null for CommunicationCompleted. */
  messageId: uuidSchema.nullable(),
  method: z.enum(['GET', 'POST']),
  /** The rendered URL with userinfo removed; null if it could not be rendered. */
  url: z.string().max(LIMITS.maxRenderedUrlLength).nullable(),
};

const errorSchema = z.object({ kind: attemptErrorKindSchema, message: textSchema }).strict();

/** `CallbackAttempted` v1 — one HTTP attempt and its outcome (recorded for every attempt). */
export const callbackAttemptedV1 = z
  .object({
    ...callbackRef,
    attempt: z.number().int().min(1).max(100),
    startedAt: instantSchema,
    durationMs: z.number().int().min(0),
    /** HTTP status received, or null when no response came. */
    statusCode: z.number().int().min(100).max(599).nullable(),
    error: errorSchema.nullable(),
    /** At most 4 KiB of the response body (UTF-8, may be cut mid-character). */
    responseSnippet: z.string().max(LIMITS.maxResponseSnippetBytes).nullable(),
    /**
     * `cancelled`: the attempt did not succeed and its communication was disabled while it ran, so
     * it neither retries nor fails the callback (a `CallbackCancelled` follows; decision 0623).
     */
    outcome: z.enum(['succeeded', 'retrying', 'failed', 'cancelled']),
    /** When the next attempt is due; set only when outcome is `retrying`. */
    nextAttemptAt: instantSchema.nullable(),
    /**
     * The delay the receiver asked for with `Retry-After` on a 429 or 503, in milliseconds (at most
     * 7 days is recorded). `nextAttemptAt` shows what was applied: the longer of this and the retry
     * delay, bounded by the dispatcher's RETRY_AFTER_MAX_MS.
     */
    retryAfterMs: z.number().int().min(0).max(LIMITS.maxRecordedRetryAfterMs).optional(),
  })
  .strict();

/** `CallbackFailed` v1 — the callback's last attempt failed; no more attempts. */
export const callbackFailedV1 = z
  .object({
    ...callbackRef,
    attempts: z.number().int().min(1).max(100),
    /** The last attempt's error. */
    reason: errorSchema,
    lastStatusCode: z.number().int().min(100).max(599).nullable(),
    /**
     * The active period the callback's attempts ran in: the id of the `CommunicationEnabled` that
     * began it, or null when the communication was active from its start. A `CallbackFailed` from
     * an earlier period (the communication was disabled and re-enabled meanwhile) disables nothing
     * (`failureDisables`). Absent in events written before it existed: then it disables as before.
     */
    activeSince: uuidSchema.nullable().optional(),
  })
  .strict();

/**
 * `CallbackCancelled` v1 — the callback will not be attempted (again): its communication was
 * disabled (for a callback due while disabled, `attempts` is 0), or a resend named a callback the
 * configuration no longer has.
 */
export const callbackCancelledV1 = z
  .object({
    ...callbackRef,
    attempts: z.number().int().min(0).max(100),
    reason: z.enum(['communication-disabled', 'callback-not-configured']),
  })
  .strict();

/**
 * The triggering event a resend repeats, as it is on the log (validated in full by the dispatcher
 * with `validateEvent(trigger, 'stored')`).
 */
export const resendTriggerSchema = z
  .object({
    id: envelopeFields.id,
    type: callbackEventTypeSchema,
    version: envelopeFields.version,
    occurredAt: envelopeFields.occurredAt,
    communicationId: envelopeFields.communicationId,
    data: z.record(z.string(), z.unknown()),
  })
  .strict();

/**
 * `CallbackResendRequested` v1 — an operator asked for one more attempt of a failed or cancelled
 * callback (alone, or as part of a recovery). The dispatcher makes it with the same idempotency key
 * and the communication's current configuration; its result is recorded like any attempt.
 */
export const callbackResendRequestedV1 = z
  .object({
    callbackId: callbackRef.callbackId,
    callbackConfigId: callbackRef.callbackConfigId,
    method: callbackRef.method,
    /** The attempt number this resend makes (one more than the callback had). */
    attempt: z.number().int().min(1).max(100),
    trigger: resendTriggerSchema,
    ...operatorFields,
    /** The `CommunicationRecoveryRequested` this resend belongs to; null for a single resend. */
    recoveryId: uuidSchema.nullable(),
  })
  .strict();

export type CallbackAttempted = z.infer<typeof callbackAttemptedV1>;
export type CallbackFailed = z.infer<typeof callbackFailedV1>;
export type CallbackCancelled = z.infer<typeof callbackCancelledV1>;
export type CallbackResendRequested = z.infer<typeof callbackResendRequestedV1>;
