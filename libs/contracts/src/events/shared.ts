import { z } from 'zod';
import { idSchema } from '../envelope/envelope';
import { LIMITS } from '../limits';

/** Names of member attributes and environment variables, as used in `${name}` placeholders. */
export const variableNameSchema = z
  .string()
  .min(1)
  .max(LIMITS.maxNameLength)
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'a letter or _ first, then letters, digits, _ . -');

/** Scalar values only: nested objects cannot be substituted into a URL. */
export const variableValueSchema = z.union([
  z.string().max(LIMITS.maxValueLength),
  z.number().finite(),
  z.boolean(),
  z.null(),
]);

/**
 * A name → value map. zod leaves out a `__proto__` key (JSON.parse keeps it as an own property, and
 * copying it would replace the result's prototype), so such an entry never reaches the log.
 */
export const variablesSchema = (max: number) =>
  z
    .record(variableNameSchema, variableValueSchema)
    .refine((r) => Object.keys(r).length <= max, { message: `at most ${max} entries` })
    // zod cannot express the count limit itself in JSON Schema; this puts it in the exported files.
    .meta({ maxProperties: max });

export const textSchema = z.string().max(LIMITS.maxTextLength);

/** The message events that a callback can be configured for, plus communication completion. */
export const CALLBACK_EVENT_TYPES = [
  'MessageSent',
  'MessageDeliveryProblem',
  'MessageDeliveryStatusChanged',
  'CommunicationCompleted',
] as const;
export const callbackEventTypeSchema = z.enum(CALLBACK_EVENT_TYPES);
export type CallbackEventType = z.infer<typeof callbackEventTypeSchema>;

export const MESSAGE_EVENT_TYPES = [
  'MessageSent',
  'MessageDeliveryProblem',
  'MessageDeliveryStatusChanged',
] as const;
export type MessageEventType = (typeof MESSAGE_EVENT_TYPES)[number];
export const isMessageEventType = (t: string): t is MessageEventType =>
  (MESSAGE_EVENT_TYPES as readonly string[]).includes(t);

/** Who asked for an operator action and why (recorded on the log with every write of the API). */
export const operatorFields = {
  /** The person or tool that asked, as they named themselves. */
  by: z.string().min(1).max(128),
  reason: textSchema.min(1),
  /** The name of the admin key that authorised the request (ADMIN_API_KEYS), when it came through the API. */
  adminKey: idSchema.optional(),
};
