import { z } from 'zod';
import { LIMITS } from '../limits';

/**
 * A secret as it is stored on the event log: AES-256-GCM ciphertext with the id of the key that
 * sealed it (so keys can rotate). Only ingest seals and only the dispatcher opens, in memory.
 */
export const sealedSecretSchema = z
  .object({
    alg: z.literal('A256GCM'),
    keyId: z.string().min(1).max(64),
    /** base64 12-byte nonce */
    iv: z.base64().max(32),
    /** base64 16-byte authentication tag */
    tag: z.base64().max(32),
    /** base64 ciphertext */
    ct: z.base64().max(4 * LIMITS.maxSecretLength),
  })
  .strict();
export type SealedSecret = z.infer<typeof sealedSecretSchema>;

export const plainSecretSchema = z.string().min(1).max(LIMITS.maxSecretLength);

/** The fields of a callback configuration that hold a secret. */
export type SecretField = 'password' | 'signingSecret';

/**
 * Additional authenticated data bound into a sealed secret: `<communicationId>/<callbackConfigId>/<field>`.
 * Opening with any other value fails, so a sealed value copied to another callback is useless.
 */
export const secretAad = (communicationId: string, callbackConfigId: string, field: SecretField): string =>
  `${communicationId}/${callbackConfigId}/${field}`;
