import { z } from 'zod';
import { idSchema } from '../envelope/envelope';
import { LIMITS } from '../limits';
import { plainSecretSchema, sealedSecretSchema } from './secrets';
import { callbackEventTypeSchema, variablesSchema } from './shared';

/** RFC 7617: the user-id of HTTP Basic cannot contain a colon (it separates the password). */
const basicUsernameSchema = z
  .string()
  .min(1)
  .max(256)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  .regex(/^[^:\x00-\x1f\x7f]+$/, 'no colon or control characters');

/**
 * `CommunicationConfigured` v1 — the whole configuration of one communication. Each one replaces
 * the previous configuration of that communication entirely (it is a snapshot, not a patch).
 *
 * Secrets appear in two shapes: producers send them in clear (`inbound`), ingest seals them before
 * the event reaches the log (`stored`). The log never holds a clear secret.
 */
const urlTemplateSchema = z
  .string()
  .min(1)
  .max(LIMITS.maxUrlTemplateLength)
  .regex(/^https?:\/\//i, 'must start with http:// or https://');

/**
 * What a producer may send: no `user:password@` before the host. A template is stored on the log in
 * clear, forever; credentials belong in `credentials`, which ingest seals. (Templates already on the
 * log keep being readable; consumers strip the userinfo wherever they show a template.)
 */
const inboundUrlTemplateSchema = urlTemplateSchema.regex(
  /^https?:\/\/[^/?#@]*(?:[/?#]|$)/i,
  'must not contain user information (user:password@); use credentials instead',
);

const callbackFields = <S extends z.ZodType>(secret: S) => ({
  /** Stable id of this callback within the communication, chosen by Dispatch. */
  id: idSchema,
  /** Which event triggers it. */
  event: callbackEventTypeSchema,
  method: z.enum(['GET', 'POST']),
  /** Absolute http(s) URL with `${name}` placeholders. */
  url: urlTemplateSchema,
  /** Optional HTTP Basic credentials. */
  credentials: z
    .object({ type: z.literal('basic'), username: basicUsernameSchema, password: secret })
    .strict()
    .optional(),
  /** Optional Standard Webhooks signing secret (`whsec_` + base64); signs every request when set. */
  signingSecret: secret.optional(),
});

const inboundSigningSecret = plainSecretSchema.regex(
  /^whsec_[A-Za-z0-9+/]{16,}={0,2}$/,
  'a Standard Webhooks secret: whsec_ followed by base64',
);

const dataFields = <C extends z.ZodType<{ id: string }>>(callback: C) => ({
  /** Dispatch's campaign the communication belongs to. */
  campaignId: idSchema,
  /** The campaign mode (e.g. `production`, `test`); selects the environment below. */
  campaignMode: z.string().min(1).max(64),
  /** The campaign environment variables for that mode (`${name}` in URL templates). */
  environment: variablesSchema(LIMITS.maxEnvironmentVariables),
  callbacks: z.array(callback).max(LIMITS.maxCallbacks),
  /** Who is emailed when a callback fails and the communication is disabled. */
  notificationList: z.array(z.email().max(254)).max(LIMITS.maxNotificationAddresses),
});

export const inboundCallbackSchema = z
  .object({
    ...callbackFields(plainSecretSchema),
    url: inboundUrlTemplateSchema,
    signingSecret: inboundSigningSecret.optional(),
  })
  .strict();
export const storedCallbackSchema = z.object(callbackFields(sealedSecretSchema)).strict();

export const communicationConfiguredInboundV1 = z
  .object(dataFields(inboundCallbackSchema))
  .strict()
  .superRefine(uniqueCallbackIds);
export const communicationConfiguredStoredV1 = z
  .object(dataFields(storedCallbackSchema))
  .strict()
  .superRefine(uniqueCallbackIds);

function uniqueCallbackIds(d: { callbacks: { id: string }[] }, ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  d.callbacks.forEach((c, i) => {
    if (seen.has(c.id))
      ctx.addIssue({ code: 'custom', path: ['callbacks', i, 'id'], message: 'duplicate callback id' });
    seen.add(c.id);
  });
}

export type InboundCallbackConfig = z.infer<typeof inboundCallbackSchema>;
export type CallbackConfig = z.infer<typeof storedCallbackSchema>;
export type CommunicationConfiguredInbound = z.infer<typeof communicationConfiguredInboundV1>;
export type CommunicationConfigured = z.infer<typeof communicationConfiguredStoredV1>;
