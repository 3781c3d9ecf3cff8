import { SENDER_CODES, SenderError } from './attempt.error';
import { signWebhook } from './webhook.signature';

export interface HeaderInput {
  method: 'GET' | 'POST';
  /** Sent only with POST; a GET carries no body. */
  body?: string;
  basicAuth?: { username: string; password: string };
  idempotencyKey: string;
  signing?: { secret: string; messageId: string; timestamp: Date };
  userAgent: string;
}

export interface PreparedRequest {
  headers: Record<string, string>;
  /** The exact bytes sent (empty for a GET); the signature covers them. */
  body: Buffer;
}

/**
 * RFC 7617: the user-id cannot contain a colon, and neither part may contain control characters.
 * Checked here so a bad configuration is a `credentials` failure, not a malformed request.
 */
function basicAuthorization(username: string, password: string): string {
  // eslint-disable-next-line no-control-regex
  const control = /[\x00-\x1f\x7f]/;
  if (username.includes(':') || control.test(username) || control.test(password)) {
    throw new SenderError(
      SENDER_CODES.credentials,
      'the Basic credentials cannot be sent: the username contains ":" or a part contains control characters',
    );
  }
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Builds every header of a callback request. Throws `SenderError` for unusable credentials. */
export function prepareRequest(input: HeaderInput): PreparedRequest {
  const bodyText = input.method === 'POST' ? (input.body ?? '') : '';
  const body = Buffer.from(bodyText, 'utf8');
  const headers: Record<string, string> = {
    'user-agent': input.userAgent,
    'idempotency-key': input.idempotencyKey,
    accept: '*/*',
  };
  if (input.method === 'POST') {
    headers['content-length'] = String(body.length);
    if (input.body !== undefined) headers['content-type'] = 'application/json';
  }
  if (input.basicAuth) {
    headers.authorization = basicAuthorization(input.basicAuth.username, input.basicAuth.password);
  }
  if (input.signing) {
    let signed;
    try {
      signed = signWebhook(input.signing.secret, input.signing.messageId, input.signing.timestamp, bodyText);
    } catch (e) {
      throw new SenderError(
        SENDER_CODES.credentials,
        `the signing secret cannot be used: ${(e as Error).message}`,
      );
    }
    Object.assign(headers, signed);
  }
  return { headers, body };
}
