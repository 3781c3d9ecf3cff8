import { z } from 'zod';
import { idSchema, uuidSchema } from '../envelope/envelope';
import { memberAttributesSchema, textSchema } from './shared';

/** Fields every message event carries: enough to render a callback URL on its own. */
const messageFields = {
  /** Dispatch's UUID of the message (`${id}`, or `${memberId}` when the member has an `id`). */
  messageId: uuidSchema,
  /** The batch of messages this one was sent in (`${batchId}`). */
  batchId: idSchema,
  /** The member's population attributes (`${attributeName}` where the name allows it). */
  memberAttributes: memberAttributesSchema,
};

/** `MessageSent` v1 — all destinations of one message were processed. */
export const messageSentV1 = z
  .object({
    ...messageFields,
    /** Destinations processed for the message (informational). */
    destinations: z
      .array(z.enum(['email', 'twilio-sms', 'twilio-voice', 'other']))
      .max(16)
      .optional(),
  })
  .strict();

/** `MessageDeliveryProblem` v1 — generating or delivering the message failed (not a bounce). */
export const messageDeliveryProblemV1 = z
  .object({
    ...messageFields,
    problem: z
      .object({
        stage: z.enum(['generation', 'delivery']),
        code: z.string().max(64).optional(),
        description: textSchema,
      })
      .strict(),
  })
  .strict();

/**
 * Twilio's outbound message statuses (Message resource): `accepted` and `scheduled` come from
 * Messaging Services, `read` from channels with read receipts, `canceled` from a cancelled schedule.
 */
export const SMS_STATUSES = [
  'accepted',
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'read',
  'canceled',
] as const;
/** Twilio's call statuses (Call resource). */
export const VOICE_STATUSES = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'no-answer',
  'canceled',
  'failed',
] as const;

const statusChange = <S extends readonly [string, ...string[]]>(channel: string, statuses: S) =>
  z
    .object({
      ...messageFields,
      channel: z.literal(channel),
      /** The new Twilio status. */
      status: z.enum(statuses),
      /** The status before this change; null for the first report. */
      previousStatus: z.enum(statuses).nullable(),
      /** Twilio's error code when the change is a failure, else null. */
      errorCode: z.number().int().min(0).max(999999).nullable(),
      /** Twilio's message or call SID. */
      twilioSid: z.string().max(64).optional(),
    })
    .strict();

/** `MessageDeliveryStatusChanged` v1 — one Twilio SMS or Voice delivery status change. */
export const messageDeliveryStatusChangedV1 = z.discriminatedUnion('channel', [
  statusChange('sms', SMS_STATUSES),
  statusChange('voice', VOICE_STATUSES),
]);

export type MessageSent = z.infer<typeof messageSentV1>;
export type MessageDeliveryProblem = z.infer<typeof messageDeliveryProblemV1>;
export type MessageDeliveryStatusChanged = z.infer<typeof messageDeliveryStatusChangedV1>;
