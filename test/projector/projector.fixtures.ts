import { callbackIdOf, logRecordOf, type LogEvent, type LogEventOf } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { ProjectorConfig } from '../../apps/projector/src/config/projector.config';
import { databaseUrl, kafkaBrokers, uniqueName } from '../support/environment';
import type { TestKafka } from '../support/kafka';

export const API_KEY = 'test-api-key-0123456789abcdef';
export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

/** A projector configuration with unique names and short timings. */
export function testConfig(overrides: Partial<ProjectorConfig> = {}): ProjectorConfig {
  return {
    kafkaBrokers: kafkaBrokers(),
    databaseUrl: databaseUrl(),
    schema: uniqueName('proj'),
    logTopic: uniqueName('log'),
    logPartitions: 3,
    consumerGroup: uniqueName('projector'),
    httpPort: 0,
    httpHost: '127.0.0.1',
    apiKeys: [API_KEY],
    smtpUrl: 'smtp://127.0.0.1:1',
    mailFrom: 'callbacks@example.test',
    publicBaseUrl: 'http://callbacks.example.test',
    mailRetryBaseMs: 200,
    mailRetryMaxMs: 1_000,
    outboxPollMs: 100,
    applyChunk: 500,
    replayChunk: 5_000,
    adminApiKeys: [{ name: 'test-admin', key: ADMIN_KEY }],
    alertFollowUpMs: 3_600_000,
    recoveryRate: 1_000,
    docsEnabled: true,
    metricsRequireKey: false,
    parkedTopic: uniqueName('parked'),
    onLogMismatch: 'refuse',
    workers: { projection: true, relay: true, mail: true, recovery: true },
    ...overrides,
  };
}

/** Writes stored-shape events onto the log exactly as ingest/dispatcher would (key, headers). */
export async function appendEvents(tk: TestKafka, topic: string, events: LogEvent[]): Promise<void> {
  await tk.send(topic, events.map(logRecordOf));
}

const SEALED = {
  alg: 'A256GCM',
  keyId: 'k1',
  iv: 'AAAAAAAAAAAAAAAA',
  tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
  ct: 'c2VjcmV0',
} as const;

/** The reference to the `sent-cb` callback of a MessageSent, as the dispatcher's events carry it. */
function refOf(trigger: LogEvent) {
  const messageId = (trigger.data as { messageId: string }).messageId;
  return {
    callbackId: callbackIdOf(trigger.id, 'sent-cb'),
    callbackConfigId: 'sent-cb',
    triggerEventId: trigger.id,
    triggerType: 'MessageSent' as const,
    messageId,
    method: 'GET' as const,
    url: `https://app.example.test/sent/${messageId}`,
  };
}

/** A clock that advances one second per event, so every time in the rows comes from events. */
export function scenario(communicationId = uniqueName('comm').replace(/[^A-Za-z0-9._:-]/g, '-')) {
  let t = Date.parse('2026-11-27T10:00:00.000Z');
  const at = () => new Date((t += 1000)).toISOString();
  const envelope = <T extends LogEvent['type']>(type: T, data: LogEventOf<T>['data']) =>
    ({ id: randomUUID(), type, version: 1, occurredAt: at(), communicationId, data }) as LogEventOf<T>;
  const batchId = `batch-${communicationId}`;
  return {
    communicationId,
    batchId,
    configured: (notificationList = ['ops@example.test', 'Owner@Example.test']) =>
      envelope('CommunicationConfigured', {
        campaignId: 'camp-1',
        campaignMode: 'production',
        environment: { base: 'https://app.example.test' },
        callbacks: [
          {
            id: 'sent-cb',
            event: 'MessageSent',
            method: 'GET',
            url: 'https://user:pw@app.example.test/sent/${id}',
            credentials: { type: 'basic', username: 'user', password: SEALED },
          },
          {
            id: 'done-cb',
            event: 'CommunicationCompleted',
            method: 'POST',
            url: 'https://app.example.test/done',
            signingSecret: SEALED,
          },
        ],
        notificationList,
      }),
    sent: (messageId = randomUUID(), attrs: Record<string, string> = { studentId: 's-1' }) =>
      envelope('MessageSent', { messageId, batchId, memberAttributes: attrs, destinations: ['email'] }),
    statusChanged: (
      messageId: string,
      status: 'queued' | 'sent' | 'delivered',
      previousStatus: 'queued' | 'sent' | null,
    ) =>
      envelope('MessageDeliveryStatusChanged', {
        messageId,
        batchId,
        memberAttributes: { studentId: 's-1' },
        channel: 'sms',
        status,
        previousStatus,
        errorCode: null,
        twilioSid: 'SM123',
      }),
    completed: (messageCount: number) =>
      envelope('CommunicationCompleted', { batchId, status: 'COMPLETE', messageCount }),
    attempted: (
      trigger: LogEvent,
      attempt: number,
      outcome: 'succeeded' | 'retrying' | 'failed',
      statusCode: number | null = 500,
    ) =>
      envelope('CallbackAttempted', {
        ...refOf(trigger),
        attempt,
        startedAt: at(),
        durationMs: 12,
        statusCode,
        error:
          statusCode === 200
            ? null
            : statusCode === null
              ? { kind: 'timeout', message: 'no answer in 120 s' }
              : { kind: 'status', message: `HTTP ${statusCode}` },
        responseSnippet: statusCode === 200 ? 'ok' : 'boom',
        outcome,
        nextAttemptAt: outcome === 'retrying' ? at() : null,
      }),
    failed: (trigger: LogEvent, attempts = 3) =>
      envelope('CallbackFailed', {
        ...refOf(trigger),
        attempts,
        reason: { kind: 'status', message: 'HTTP 500' },
        lastStatusCode: 500,
      }),
    cancelled: (trigger: LogEvent, attempts = 0) =>
      envelope('CallbackCancelled', {
        ...refOf(trigger),
        url: null,
        attempts,
        reason: 'communication-disabled',
      }),
    enabled: () => envelope('CommunicationEnabled', { by: 'operations-desk', reason: 'receiver fixed' }),
  };
}

/** Direct SQL access to a projection schema for assertions. */
export async function withDb<T>(fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl() });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

export async function dropSchemas(...schemas: string[]): Promise<void> {
  await withDb(async (db) => {
    for (const s of schemas) await db.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  });
}

/** A whole table as sorted JSON lines, for before/after comparisons. */
export async function dumpTable(db: Client, schema: string, table: string): Promise<string[]> {
  const { rows } = await db.query(`SELECT to_jsonb(t) AS j FROM "${schema}".${table} t`);
  return rows.map((r: { j: unknown }) => JSON.stringify(r.j)).sort();
}

/** Dumps several tables one after the other (one client runs one query at a time). */
export async function dumpAll(db: Client, schema: string, tables: string[]): Promise<string[][]> {
  const out: string[][] = [];
  for (const t of tables) out.push(await dumpTable(db, schema, t));
  return out;
}
