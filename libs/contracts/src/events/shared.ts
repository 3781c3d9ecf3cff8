import { z } from 'zod';
import { idSchema } from '../envelope/envelope';
import { LIMITS } from '../limits';

/** What a `${name}` placeholder may name: a letter or _ first, then letters, digits, _ . - */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** True when an attribute or variable name can be used as a `${name}` placeholder. */
export const isVariableName = (name: string): boolean =>
  name.length <= LIMITS.maxNameLength && VARIABLE_NAME.test(name);

/** Names of environment variables, as used in `${name}` placeholders. */
export const variableNameSchema = z
  .string()
  .min(1)
  .max(LIMITS.maxNameLength)
  .regex(VARIABLE_NAME, 'a letter or _ first, then letters, digits, _ . -');

/** Scalar values only: nested objects cannot be substituted into a URL. */
export const variableValueSchema = z.union([
  z.string().max(LIMITS.maxValueLength),
  z.number().finite(),
  z.boolean(),
  z.null(),
]);

/**
 * The campaign environment: a name → value map of `${name}` variables, configured on purpose, so
 * every name must be usable and every value substitutable. zod leaves out a `__proto__` key (JSON.parse keeps it as an own property, and
 * copying it would replace the result's prototype), so such an entry never reaches the log.
 */
export const variablesSchema = (max: number) =>
  z
    .record(variableNameSchema, variableValueSchema)
    .refine((r) => Object.keys(r).length <= max, { message: `at most ${max} entries` })
    // zod cannot express the count limit itself in JSON Schema; this puts it in the exported files.
    .meta({ maxProperties: max });

/**
 * A member's population attributes, as Dispatch holds them: any names, any JSON values (a value
 * may be an array or an object), bounded only by the event's size and nesting limits. Names and
 * values are Dispatch's business; an entry whose name cannot be a `${name}` or whose value is not a
 * scalar is kept in the history but is not usable as a URL variable. A `__proto__` entry is
 * dropped, as above.
 */
export const memberAttributesSchema = z.record(z.string(), z.unknown());

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
  by: z.string().min(1).max(LIMITS.maxOperatorLength),
  reason: textSchema.min(1),
  /** The name of the admin key that authorised the request (ADMIN_API_KEYS), when it came through the API. */
  adminKey: idSchema.optional(),
};
