import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { secretAad, logRecordOf, type CallbackConfig, type LogEvent, type LogEventOf } from '@app/contracts';
import { SecretBox } from '@app/platform';
import {
  loadDispatcherConfig,
  type DispatcherConfig,
} from '../../apps/dispatcher/src/config/dispatcher.config';
import { eventually, kafkaBrokers, uniqueName } from '../support/environment';
import type { TestKafka } from '../support/kafka';

/** A throw-away key ring for the tests (never a real key). */
export const TEST_KEYS = `test1:${randomBytes(32).toString('base64')}`;
export const testBox = SecretBox.fromSpec(TEST_KEYS);

/** Fresh topics and group, short timings, loopback allowed; `overrides` are environment variables. */
export function testConfig(overrides: Record<string, string> = {}): DispatcherConfig {
  return loadDispatcherConfig({
    KAFKA_BROKERS: kafkaBrokers().join(','),
    LOG_TOPIC: uniqueName('log'),
    RETRY_TOPIC: uniqueName('retry'),
    STATE_TOPIC: uniqueName('state'),
    PARKED_TOPIC: uniqueName('parked'),
    CONSUMER_GROUP: uniqueName('dispatcher'),
    LOG_PARTITIONS: '2',
    SECRETS_KEYS: TEST_KEYS,
    CALLBACK_TIMEOUT_MS: '500',
    RETRY_DELAY_MS: '1500',
    MAX_ATTEMPTS: '3',
    SSRF_ALLOWED_NETWORKS: '127.0.0.0/8',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    ...overrides,
  });
}

const envelope = <K extends LogEvent['type']>(type: K, communicationId: string) => ({
  id: randomUUID(),
  type,
  version: 1,
  occurredAt: new Date().toISOString(),
  communicationId,
});

export interface CallbackSpec {
  id: string;
  event: CallbackConfig['event'];
  method: 'GET' | 'POST';
  url: string;
  basic?: { username: string; password: string };
  signingSecret?: string;
}

/** A stored-shape CommunicationConfigured, secrets sealed the way ingest seals them. */
export function configured(
  communicationId: string,
  callbacks: CallbackSpec[],
  environment: Record<string, string> = {},
): LogEventOf<'CommunicationConfigured'> {
  return {
    ...envelope('CommunicationConfigured', communicationId),
    data: {
      campaignId: 'campaign-1',
      campaignMode: 'production',
      environment,
      notificationList: ['ops@example.org'],
      callbacks: callbacks.map((c) => ({
        id: c.id,
        event: c.event,
        method: c.method,
        url: c.url,
        ...(c.basic && {
          credentials: {
            type: 'basic' as const,
            username: c.basic.username,
            password: testBox.seal(c.basic.password, secretAad(communicationId, c.id, 'password')),
          },
        }),
        ...(c.signingSecret && {
          signingSecret: testBox.seal(c.signingSecret, secretAad(communicationId, c.id, 'signingSecret')),
        }),
      })),
    },
  };
}

export function messageSent(
  communicationId: string,
  memberAttributes: Record<string, string | number | boolean | null> = {},
  batchId = 'batch-1',
): LogEventOf<'MessageSent'> {
  return {
    ...envelope('MessageSent', communicationId),
    data: { messageId: randomUUID(), batchId, memberAttributes },
  };
}

export function deliveryProblem(
  communicationId: string,
  memberAttributes: Record<string, string> = {},
): LogEventOf<'MessageDeliveryProblem'> {
  return {
    ...envelope('MessageDeliveryProblem', communicationId),
    data: {
      messageId: randomUUID(),
      batchId: 'batch-1',
      memberAttributes,
      problem: { stage: 'delivery', description: 'mailbox unavailable' },
    },
  };
}

export function statusChanged(
  communicationId: string,
  status: 'delivered' | 'failed',
): LogEventOf<'MessageDeliveryStatusChanged'> {
  return {
    ...envelope('MessageDeliveryStatusChanged', communicationId),
    data: {
      messageId: randomUUID(),
      batchId: 'batch-1',
      memberAttributes: {},
      channel: 'sms',
      status,
      previousStatus: 'sent',
      errorCode: null,
    },
  };
}

export function completed(
  communicationId: string,
  batchId = 'batch-1',
): LogEventOf<'CommunicationCompleted'> {
  return {
    ...envelope('CommunicationCompleted', communicationId),
    data: { batchId, status: 'COMPLETE', messageCount: 3 },
  };
}

export function disabled(communicationId: string): LogEventOf<'CommunicationDisabled'> {
  return {
    ...envelope('CommunicationDisabled', communicationId),
    data: { callbackId: null, causeEventId: null, reason: 'operator request', by: 'operator' },
  };
}

export function enabled(communicationId: string): LogEventOf<'CommunicationEnabled'> {
  return {
    ...envelope('CommunicationEnabled', communicationId),
    data: { by: 'operator', reason: 'fixed the receiver' },
  };
}

/** Appends events to the log exactly as ingest does (key = communicationId, log headers). */
export async function append(tk: TestKafka, topic: string, ...events: LogEvent[]): Promise<void> {
  await tk.send(topic, events.map(logRecordOf));
}

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Reply = (
  req: Received,
  nth: number,
) => { status: number; delayMs?: number; body?: string; headers?: Record<string, string> } | 'hang';

/** A real HTTP receiver on 127.0.0.1 that records every request and answers as `reply` says. */
export class Receiver {
  readonly requests: Received[] = [];
  private server?: http.Server;
  private timers = new Set<NodeJS.Timeout>();
  port = 0;

  constructor(private reply: Reply = () => ({ status: 200 })) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        this.requests.push(r);
        const answer = this.reply(r, this.requests.length);
        if (answer === 'hang') return;
        const send = () => {
          res.statusCode = answer.status;
          for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
          if (answer.status >= 300 && answer.status < 400) res.setHeader('location', 'http://127.0.0.1:1/');
          res.end(answer.body ?? 'ok');
        };
        if (answer.delayMs) {
          const t = setTimeout(() => {
            this.timers.delete(t);
            send();
          }, answer.delayMs);
          this.timers.add(t);
        } else send();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A loopback port that refuses connections (a server was there and is gone). */
export async function refusedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** The events of one communication on the log, in log order. */
export async function eventsOf(tk: TestKafka, topic: string, communicationId: string): Promise<LogEvent[]> {
  return (await tk.readJson<LogEvent>(topic)).filter((e) => e.communicationId === communicationId);
}

export const ofType = <K extends LogEvent['type']>(events: LogEvent[], type: K) =>
  events.filter((e): e is LogEventOf<K> => e.type === type);

/** Waits until at least `count` CallbackAttempted events of the communication are on the log. */
export async function awaitAttempts(
  tk: TestKafka,
  topic: string,
  communicationId: string,
  count: number,
  timeoutMs = 30_000,
): Promise<LogEventOf<'CallbackAttempted'>[]> {
  return eventually(
    async () => {
      const a = ofType(await eventsOf(tk, topic, communicationId), 'CallbackAttempted');
      return a.length >= count ? a : undefined;
    },
    { what: `${count} CallbackAttempted on the log`, timeoutMs },
  );
}

/**
 * A fence for "no attempt was made twice": waits until every retry record of the communication
 * is named by a done marker on its partition. The marker is written in the transaction that
 * records the attempt, and a record a marker names is never fired again, by this process, after
 * a restart or by a new consumer group (decision 0620) — so once every record is settled, no
 * further attempt of these callbacks can come from the retry topic.
 */
export async function awaitRetriesSettled(
  tk: TestKafka,
  retryTopic: string,
  communicationId: string,
  timeoutMs = 30_000,
): Promise<void> {
  await eventually(
    async () => {
      const records = await tk.readAll(retryTopic);
      const done = new Set<string>();
      const mine: string[] = [];
      for (const r of records) {
        const value = JSON.parse(r.value?.toString('utf8') ?? 'null') as {
          done?: string[];
          communicationId?: string;
        } | null;
        if (Array.isArray(value?.done)) for (const o of value.done) done.add(`${r.partition}:${o}`);
        else if (value?.communicationId === communicationId) mine.push(`${r.partition}:${r.offset}`);
      }
      return mine.length > 0 && mine.every((m) => done.has(m)) ? true : undefined;
    },
    { what: `every retry record of ${communicationId} settled by a done marker`, timeoutMs, intervalMs: 250 },
  );
}
