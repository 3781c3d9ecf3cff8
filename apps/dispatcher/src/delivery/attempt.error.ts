import type { AttemptErrorKind } from '@app/contracts';

export interface AttemptError {
  kind: AttemptErrorKind;
  message: string;
}

/** Codes this service gives its own failures, so they are classified like Node's. */
export const SENDER_CODES = {
  blocked: 'CALLBACK_BLOCKED',
  timeout: 'CALLBACK_TIMEOUT',
  credentials: 'CALLBACK_CREDENTIALS',
  invalidUrl: 'CALLBACK_INVALID_URL',
} as const;

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ENODATA']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** OpenSSL certificate verification results, as Node reports them in `code`. */
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

/** An error carrying one of the codes above, with a message that is safe to record. */
export class SenderError extends Error {
  constructor(
    readonly code: (typeof SENDER_CODES)[keyof typeof SENDER_CODES],
    message: string,
  ) {
    super(message);
    this.name = 'SenderError';
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Which kind of failure an error is, from its `code` only (never from message text). */
export function errorKindOf(error: unknown): AttemptErrorKind {
  const code = codeOf(error);
  if (code === undefined) return 'network';
  if (code === SENDER_CODES.blocked) return 'blocked';
  if (code === SENDER_CODES.timeout || code === 'ETIMEDOUT') return 'timeout';
  if (code === SENDER_CODES.credentials) return 'credentials';
  if (code === SENDER_CODES.invalidUrl) return 'invalid-url';
  if (code === 'ECONNREFUSED') return 'connection-refused';
  if (RESET_CODES.has(code)) return 'connection-reset';
  if (DNS_CODES.has(code)) return 'dns';
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) return 'tls';
  return 'network';
}

const DESCRIPTIONS: Record<AttemptErrorKind, string> = {
  status: 'unexpected HTTP status',
  gone: 'the receiver says this endpoint is gone',
  timeout: 'no complete response in time',
  'connection-refused': 'connection refused',
  'connection-reset': 'connection reset by the receiver',
  dns: 'host name could not be resolved',
  tls: 'TLS handshake or certificate verification failed',
  blocked: 'address blocked',
  'unresolved-variable': 'unresolved variable',
  'invalid-url': 'invalid URL',
  credentials: 'unusable credentials',
  network: 'network error',
};

/**
 * A recordable description of a failed exchange. Our own errors already carry a safe message;
 * for Node's errors only the code and the target host are used, because Node's message text may
 * quote things we do not control.
 */
export function describeError(error: unknown, target: string): AttemptError {
  const kind = errorKindOf(error);
  if (error instanceof SenderError) return { kind, message: error.message };
  const code = codeOf(error);
  return { kind, message: `${DESCRIPTIONS[kind]} (${code ?? 'no code'}) for ${target}` };
}
