import { createHmac } from 'node:crypto';

/** The three Standard Webhooks headers (https://www.standardwebhooks.com, v1 symmetric). */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

const SECRET_PREFIX = 'whsec_';

/** The HMAC key: the base64 part of a `whsec_` secret, decoded. Throws on an unusable secret. */
export function signingKeyOf(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new Error('the signing secret is not base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 16) throw new Error('the signing secret is shorter than 16 bytes');
  return key;
}

/**
 * Signs `${id}.${timestamp}.${body}` with HMAC-SHA256 (timestamp in whole seconds). A GET has no
 * body, so its signed content ends with the empty string.
 */
export function signWebhook(
  secret: string,
  id: string,
  timestamp: Date,
  body: string,
): WebhookSignatureHeaders {
  const seconds = Math.floor(timestamp.getTime() / 1000).toString();
  const mac = createHmac('sha256', signingKeyOf(secret)).update(`${id}.${seconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': seconds, 'webhook-signature': `v1,${mac}` };
}
