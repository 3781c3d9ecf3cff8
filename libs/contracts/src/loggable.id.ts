import { LIMITS } from './limits';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The event id of a rejected input, for log lines, or undefined. Only a well-formed UUID is
 * returned: anything else in a bad event is untrusted text and may even be a secret.
 */
export function loggableEventId(bytes: Buffer | null): string | undefined {
  if (!bytes || bytes.length > LIMITS.maxEventBytes) return undefined;
  try {
    const id = (JSON.parse(bytes.toString('utf8')) as { id?: unknown } | null)?.id;
    return typeof id === 'string' && UUID.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
