import { decodeEvent, PARKED_HEADERS } from '@app/contracts';
import { withoutUserinfo } from '../projection/handlers/row.rules';
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

/** What audit shows of a parked record: where it came from, who parked it and why. */
export interface ParkedEntry {
  consumer: string;
  where: string;
  code: string;
  reason: string;
  eventId: string | null;
  at: string | null;
}

/**
 * The records of the parked topic (ingest, dispatcher) that belong to the communication or
 * message: by their key (the communication id), or by the message id inside the value when it is
 * an event or a retry record carrying one. Their content is never printed.
 */
export function parkedEntries(records: RawLogRecord[], filter: AuditFilter): ParkedEntry[] {
  const out: ParkedEntry[] = [];
  for (const r of records) {
    const h = r.headers;
    if (filter.communicationId && r.key !== filter.communicationId) continue;
    if (filter.messageId && messageIdIn(r.value) !== filter.messageId) continue;
    out.push({
      consumer: h[PARKED_HEADERS.consumer] ?? '?',
      where: `${h[PARKED_HEADERS.sourceTopic]}[${h[PARKED_HEADERS.sourcePartition]}]@${h[PARKED_HEADERS.sourceOffset]}`,
      code: h[PARKED_HEADERS.code] ?? '?',
      reason: h[PARKED_HEADERS.reason] ?? '',
      eventId: h[PARKED_HEADERS.eventId] ?? null,
      at: h[PARKED_HEADERS.at] ?? null,
    });
  }
  return out;
}

export const parkedLine = (p: ParkedEntry): string =>
  `PARKED by ${p.consumer}  ${p.where}${p.at ? `  at ${p.at}` : ''}${p.eventId ? `  id=${p.eventId}` : ''}  ${p.code}: ${p.reason}`;

/** The message id of an event (`data.messageId`) or of a retry record (`trigger.data.messageId`). */
function messageIdIn(value: Buffer | null): string | undefined {
  try {
    const v = JSON.parse(value?.toString('utf8') ?? '') as {
      data?: { messageId?: unknown };
      trigger?: { data?: { messageId?: unknown } };
    };
    const id = v.data?.messageId ?? v.trigger?.data?.messageId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
