import { z } from 'zod';
import { textSchema } from './shared';

/** `CommunicationDisabled` v1 — no more callbacks for the communication until it is enabled. */
export const communicationDisabledV1 = z
  .object({
    /** The failed callback that caused it (null when disabled by an operator). */
    callbackId: z.string().min(1).max(300).nullable(),
    /** The `CallbackFailed` event that caused it. */
    causeEventId: z.uuid().nullable(),
    reason: textSchema,
    /** Who disabled it: `projector` for the automatic safety rule, else the operator. */
    by: z.string().min(1).max(128),
  })
  .strict();

/** `CommunicationEnabled` v1 — an operator re-enabled the communication. */
export const communicationEnabledV1 = z
  .object({
    by: z.string().min(1).max(128),
    reason: textSchema.min(1),
  })
  .strict();

export type CommunicationDisabled = z.infer<typeof communicationDisabledV1>;
export type CommunicationEnabled = z.infer<typeof communicationEnabledV1>;
