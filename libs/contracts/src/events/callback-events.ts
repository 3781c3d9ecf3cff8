import { z } from 'zod';
import { idSchema, instantSchema, uuidSchema } from '../envelope/envelope';
import { LIMITS } from '../limits';
import { callbackEventTypeSchema, textSchema } from './shared';

/**
 * Internal events appended by the dispatcher. A *callback* is one configured callback fired for one
 * triggering event; its id is `callbackIdOf(triggerEventId, callbackConfigId)` and is also the
 * idempotency key the receiver sees on every attempt.
 */
export const callbackIdOf = (triggerEventId: string, callbackConfigId: string) =>
  `${triggerEventId}.${callbackConfigId}`;

/** Why an attempt did not succeed. `status` = an HTTP status outside the success set. */
export const ATTEMPT_ERROR_KINDS = [
  'status',
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
  callbackId: z.string().min(1).max(300),
  /** The configured callback (`CommunicationConfigured.callbacks[].id`). */
  callbackConfigId: idSchema,
  /** The event that caused the callback and its type. */
  triggerEventId: uuidSchema,
  triggerType: callbackEventTypeSchema,
  /** The message, for message events; null for CommunicationCompleted. */
  messageId: uuidSchema.nullable(),
  method: z.enum(['GET', 'POST']),
  /** The rendered URL with userinfo removed; null if it could not be rendered. */
  url: z.string().max(8192).nullable(),
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
    outcome: z.enum(['succeeded', 'retrying', 'failed']),
    /** When the next attempt is due; set only when outcome is `retrying`. */
    nextAttemptAt: instantSchema.nullable(),
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
  })
  .strict();

/** `CallbackCancelled` v1 — a pending retry was dropped because the communication was disabled. */
export const callbackCancelledV1 = z
  .object({
    ...callbackRef,
    attempts: z.number().int().min(0).max(100),
    reason: z.enum(['communication-disabled']),
  })
  .strict();

export type CallbackAttempted = z.infer<typeof callbackAttemptedV1>;
export type CallbackFailed = z.infer<typeof callbackFailedV1>;
export type CallbackCancelled = z.infer<typeof callbackCancelledV1>;
