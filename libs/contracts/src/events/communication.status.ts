import { z } from 'zod';
import { instantSchema, uuidSchema } from '../envelope/envelope';
import { LIMITS } from '../limits';
import { operatorFields, textSchema } from './shared';

/** `CommunicationDisabled` v1 — no more callbacks for the communication until it is enabled. */
export const communicationDisabledV1 = z
  .object({
    /** The failed callback that caused it (null when disabled by an operator). */
    callbackId: z.string().min(1).max(LIMITS.maxCallbackIdLength).nullable(),
    /** The `CallbackFailed` event that caused it. */
    causeEventId: z.uuid().nullable(),
    reason: textSchema,
    /** Who disabled it: `projector` for the automatic safety rule, else the operator. */
    by: z.string().min(1).max(LIMITS.maxOperatorLength),
  })
  .strict();

/** `CommunicationEnabled` v1 — an operator re-enabled the communication. */
export const communicationEnabledV1 = z.object(operatorFields).strict();

/** The callback states a recovery can resend. */
export const RECOVERABLE_STATES = ['failed', 'cancelled'] as const;

/**
 * `CommunicationRecoveryRequested` v1 — an operator asked to resend, in order and at a bounded
 * rate, every callback of the communication in `states` created at or after `since` (and not after
 * the request). The projector then appends one `CallbackResendRequested` per callback.
 */
export const communicationRecoveryRequestedV1 = z
  .object({
    recoveryId: uuidSchema,
    since: instantSchema,
    states: z.array(z.enum(RECOVERABLE_STATES)).min(1).max(RECOVERABLE_STATES.length),
    ...operatorFields,
  })
  .strict();

export type CommunicationDisabled = z.infer<typeof communicationDisabledV1>;
export type CommunicationEnabled = z.infer<typeof communicationEnabledV1>;
export type CommunicationRecoveryRequested = z.infer<typeof communicationRecoveryRequestedV1>;
