/**
 * Given / when / then for projection handlers: events of one communication, rows to start from,
 * and a database as the store keeps it (mutable rows upserted by key, append-only rows inserted
 * once) to show that applying an event twice leaves what applying it once left.
 */
import { callbackIdOf, type LogEvent, type LogEventOf } from '@app/contracts';
import { handle } from '../projection.evolve';
import type { LogPosition } from '../projection.rows';
import type { Change, EvolveOptions, Handler, ReadRows, Rows } from './handler.types';

export const COMM = 'comm-1';
export const LIVE: EvolveOptions = { mode: 'live' };
let seq = 0;
export const uuid = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;
const nextInstant = () => new Date(Date.UTC(2026, 10, 3, 9, 0, 0, ++seq)).toISOString();

/** The position of the event under test; `given` rows were changed at lower offsets. */
export const position = (offset = 100, partition = 0): LogPosition => ({
  partition,
  offset: String(offset),
  timestamp: '0',
});

export const event = <T extends LogEvent['type']>(type: T, data: LogEventOf<T>['data']): LogEventOf<T> =>
  ({ id: uuid(), type, version: 1, occurredAt: nextInstant(), communicationId: COMM, data }) as LogEventOf<T>;

export const configured = (notificationList = ['ops@example.test', 'Owner@example.test']) =>
  event('CommunicationConfigured', {
    campaignId: 'camp',
    campaignMode: 'production',
    environment: {},
    notificationList,
    callbacks: [{ id: 'cb', event: 'MessageSent', method: 'GET', url: 'https://u:p@app.example.test/${id}' }],
  });
export const sent = () => event('MessageSent', { messageId: uuid(), batchId: 'b1', memberAttributes: {} });
export const ref = (trigger: LogEvent) => ({
  callbackId: callbackIdOf(trigger.id, 'cb'),
  callbackConfigId: 'cb',
  triggerEventId: trigger.id,
  triggerType: 'MessageSent' as const,
  messageId: (trigger.data as { messageId: string }).messageId,
  method: 'GET' as const,
  url: null,
});
export const attempted = (trigger: LogEvent, attempt: number, outcome: 'succeeded' | 'retrying' | 'failed') =>
  event('CallbackAttempted', {
    ...ref(trigger),
    url: 'https://app.example.test/x',
    attempt,
    startedAt: nextInstant(),
    durationMs: 5,
    statusCode: outcome === 'succeeded' ? 200 : 500,
    error: outcome === 'succeeded' ? null : { kind: 'status', message: 'HTTP 500' },
    responseSnippet: null,
    outcome,
    nextAttemptAt: outcome === 'retrying' ? nextInstant() : null,
  });
export const failed = (trigger: LogEvent, activeSince?: string | null) =>
  event('CallbackFailed', {
    ...ref(trigger),
    attempts: 3,
    reason: { kind: 'status', message: 'HTTP 500' },
    lastStatusCode: 500,
    ...(activeSince !== undefined && { activeSince }),
  });
export const cancelled = (trigger: LogEvent) =>
  event('CallbackCancelled', { ...ref(trigger), attempts: 0, reason: 'communication-disabled' });
export const enabled = () =>
  event('CommunicationEnabled', { by: 'jane', reason: 'fixed', adminKey: 'oncall' });
export const disabledByOperator = () =>
  event('CommunicationDisabled', { callbackId: null, causeEventId: null, reason: 'maintenance', by: 'jane' });

const KEY_OF: { [K in keyof ReadRows]: (r: ReadRows[K]) => string } = {
  communications: (r) => r.communicationId,
  messages: (r) => r.messageId,
  batches: (r) => r.batchId,
  callbacks: (r) => r.callbackId,
  recoveries: (r) => r.recoveryId,
};
const APPEND_KEY: Record<string, (r: Record<string, unknown>) => string> = {
  batchMembers: (r) => `${String(r.batchId)}/${String(r.messageId)}`,
  attempts: (r) => String(r.eventId),
  deliveryStatuses: (r) => String(r.eventId),
  outboxEvents: (r) => String(r.eventId),
  emails: (r) => String(r.emailId),
  triggerEvents: (r) => String(r.eventId),
  published: (r) => String(r.eventId),
};

/** A database as the store keeps it, for the specs. */
export class Db implements Rows {
  private readonly tables = new Map<string, Map<string, unknown>>();

  get<K extends keyof ReadRows>(table: K, key: string): ReadRows[K] | undefined {
    return this.tables.get(table)?.get(key) as ReadRows[K] | undefined;
  }

  /** Writes a change: rows of mutable tables replace theirs, appended rows are kept only once. */
  apply(change: Change): this {
    for (const [table, rows] of Object.entries(change) as [string, Record<string, unknown>[]][]) {
      const t = this.tables.get(table) ?? new Map<string, unknown>();
      this.tables.set(table, t);
      for (const row of rows) {
        const mutable = KEY_OF[table as keyof ReadRows] as ((r: unknown) => string) | undefined;
        if (mutable) t.set(mutable(row), row);
        else if (!t.has(APPEND_KEY[table](row))) t.set(APPEND_KEY[table](row), row);
      }
    }
    return this;
  }

  /** Every table's rows, sorted by key: what a comparison of two databases looks at. */
  snapshot(): Record<string, [string, unknown][]> {
    return Object.fromEntries(
      [...this.tables].map(([t, rows]) => [t, [...rows].sort(([a], [b]) => a.localeCompare(b))]),
    );
  }
}

/** The database after `given` events, each applied by the full fold at increasing offsets. */
export function given(...events: LogEvent[]): Db {
  const db = new Db();
  events.forEach((e, i) => db.apply(handle(db, e, position(i + 1), LIVE)));
  return db;
}

/** The database after applying `e` once, and after applying it a second time over that. */
export function onceAndTwice<T extends LogEvent['type']>(
  db: Db,
  handler: Handler<T>,
  e: LogEventOf<T>,
  at = position(),
  options = LIVE,
) {
  const once = db.apply(handler(db, e, at, options)).snapshot();
  const twice = db.apply(handler(db, e, at, options)).snapshot();
  return { once, twice };
}
