import { decodeEvent } from '@app/contracts';
import { withoutUserinfo } from '../projection/projection.evolve';
import type { RawLogRecord } from './log.reader';

export interface AuditFilter {
  communicationId?: string;
  messageId?: string;
}

/**
 * Replaces anything secret before printing: sealed secrets (even ciphertext is not shown),
 * password / signing-secret fields, and userinfo in URLs.
 */
export function redactForAudit(value: unknown, key = ''): unknown {
  if (/^(password|signingSecret|secret|token)$/i.test(key)) return '[redacted]';
  if (typeof value === 'string') return /^https?:\/\//i.test(value) ? withoutUserinfo(value) : value;
  if (Array.isArray(value)) return value.map((v) => redactForAudit(v));
  if (value && typeof value === 'object') {
    if ('ct' in value && 'alg' in value) return '[sealed secret]';
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactForAudit(v, k)]));
  }
  return value;
}

/** The ordered trail of one communication or message, one line per event. */
export function auditLines(records: RawLogRecord[], filter: AuditFilter): string[] {
  const lines: string[] = [];
  for (const r of records) {
    const decoded = decodeEvent(r.value, 'stored');
    if (!decoded.ok) continue;
    const e = decoded.event;
    if (filter.communicationId && e.communicationId !== filter.communicationId) continue;
    if (filter.messageId && !('messageId' in e.data && e.data.messageId === filter.messageId)) continue;
    const logged = new Date(Number(r.timestamp)).toISOString();
    lines.push(
      `${r.partition}@${r.offset}  logged ${logged}  occurred ${e.occurredAt}  ${e.type} v${e.version}  id=${e.id}  ` +
        JSON.stringify(redactForAudit(e.data)),
    );
  }
  return lines;
}
