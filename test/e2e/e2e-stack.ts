import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { builtEntry, ChildService, runScript, type ScriptResult } from '../support/child-service';
import { databaseUrl, eventually, kafkaBrokers, uniqueName } from '../support/environment';
import { freePort, freePorts } from '../support/free-port';
import { TestKafka } from '../support/kafka';
import { SmtpCapture } from '../support/smtp-capture';
import { DispatchProducer } from './dispatch-producer';

/** Short timings so the whole failure path (3 attempts) takes seconds, not 10 minutes. */
export const E2E_TIMINGS = {
  retryDelayMs: 1_500,
  callbackTimeoutMs: 1_000,
  maxAttempts: 3,
  /** Shortest time between two emails about one disable (ALERT_FOLLOW_UP_MS). */
  alertFollowUpMs: 2_000,
} as const;

/** Everything a test needs to know about one running stack. */
export interface E2eStack {
  ingestUrl: string;
  projectorUrl: string;
  dispatcherUrl: string;
  apiKey: string;
  /** An admin key (ADMIN_API_KEYS) named `e2e-oncall`, for enable, resend and recover. */
  adminKey: string;
  topics: { inbound: string; deadLetter: string; log: string; retry: string; state: string; parked: string };
  logPartitions: number;
  schema: string;
  consumerGroups: { ingest: string; dispatcher: string; projector: string };
  /** The environment the projector runs with, for its command-line tools (replay, verify). */
  projectorEnv: Record<string, string>;
  /** Each service's whole environment, for starting more instances of it (`startInstance`). */
  envs: Record<ServiceName, Record<string, string>>;
  services: ChildService[];
  /** Output tails of every service, to append to a failure message. */
  diagnostics(): string;
}

export type ServiceName = 'ingest' | 'dispatcher' | 'projector';

/**
 * Starts ingest, dispatcher and projector from their BUILT entry points as child processes, each
 * configured only through environment variables, with names no other run uses (topics, consumer
 * groups, transactional ids, database schema) and seconds-scale timings.
 */
export async function startE2eStack(options: {
  smtpUrl: string;
  /** How each service reaches Kafka (KAFKA_BROKERS, TLS, SASL); default: the run's broker. */
  kafka?: (service: ServiceName) => Record<string, string>;
  /** More environment per service, over the defaults (e.g. a longer callback timeout). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
}): Promise<E2eStack> {
  const brokers = kafkaBrokers().join(',');
  const kafka = options.kafka ?? (() => ({ KAFKA_BROKERS: brokers }));
  const logPartitions = 3;
  const topics = {
    inbound: uniqueName('e2e.inbound'),
    deadLetter: uniqueName('e2e.dlq'),
    log: uniqueName('e2e.log'),
    retry: uniqueName('e2e.retry'),
    state: uniqueName('e2e.state'),
    parked: uniqueName('e2e.parked'),
  };
  const schema = uniqueName('e2e');
  const consumerGroups = {
    ingest: uniqueName('e2e-ingest'),
    dispatcher: uniqueName('e2e-dispatcher'),
    projector: uniqueName('e2e-projector'),
  };
  const apiKey = `e2e-${randomBytes(16).toString('hex')}`;
  const adminKey = `e2e-admin-${randomBytes(16).toString('hex')}`;
  const secretsKeys = `e2e1:${randomBytes(32).toString('base64')}`;
  const [ingestPort, dispatcherPort, projectorPort] = await freePorts(3);
  const projectorUrl = `http://127.0.0.1:${projectorPort}`;
  const shared = {
    LOG_TOPIC: topics.log,
    LOG_PARTITIONS: String(logPartitions),
    PARKED_TOPIC: topics.parked,
  };

  const projectorEnv = {
    ...shared,
    ...kafka('projector'),
    DATABASE_URL: databaseUrl(),
    DB_SCHEMA: schema,
    CONSUMER_GROUP: consumerGroups.projector,
    HTTP_PORT: String(projectorPort),
    API_KEYS: apiKey,
    ADMIN_API_KEYS: `e2e-oncall:${adminKey}`,
    ALERT_FOLLOW_UP_MS: String(E2E_TIMINGS.alertFollowUpMs),
    RECOVERY_RATE: '20',
    SMTP_URL: options.smtpUrl,
    MAIL_FROM: 'callbacks@example.test',
    PUBLIC_BASE_URL: projectorUrl,
    MAIL_RETRY_BASE_MS: '200',
    MAIL_RETRY_MAX_MS: '2000',
    OUTBOX_POLL_MS: '200',
  };
  const envs: Record<ServiceName, Record<string, string>> = {
    ingest: {
      ...shared,
      ...kafka('ingest'),
      INBOUND_TOPIC: topics.inbound,
      INBOUND_PARTITIONS: String(logPartitions),
      DLQ_TOPIC: topics.deadLetter,
      CONSUMER_GROUP: consumerGroups.ingest,
      KAFKA_CLIENT_ID: uniqueName('e2e-ingest'),
      TRANSACTIONAL_ID_PREFIX: uniqueName('e2e-ingest-tx'),
      HTTP_TRANSACTIONAL_ID: uniqueName('e2e-ingest-http'),
      SECRETS_KEYS: secretsKeys,
      SECRETS_ACTIVE_KEY: 'e2e1',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(ingestPort),
      API_KEYS: apiKey,
    },
    dispatcher: {
      ...shared,
      ...kafka('dispatcher'),
      RETRY_TOPIC: topics.retry,
      STATE_TOPIC: topics.state,
      CONSUMER_GROUP: consumerGroups.dispatcher,
      SECRETS_KEYS: secretsKeys,
      CALLBACK_TIMEOUT_MS: String(E2E_TIMINGS.callbackTimeoutMs),
      RETRY_DELAY_MS: String(E2E_TIMINGS.retryDelayMs),
      MAX_ATTEMPTS: String(E2E_TIMINGS.maxAttempts),
      PUBLIC_BASE_URL: projectorUrl,
      SSRF_ALLOWED_NETWORKS: '127.0.0.0/8',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(dispatcherPort),
      ...options.env?.dispatcher,
    },
    projector: projectorEnv,
  };
  const services = (['ingest', 'dispatcher', 'projector'] as const).map(
    (name) => new ChildService(name, builtEntry(name), envs[name]),
  );
  const stack: E2eStack = {
    ingestUrl: `http://127.0.0.1:${ingestPort}`,
    dispatcherUrl: `http://127.0.0.1:${dispatcherPort}`,
    projectorUrl,
    apiKey,
    adminKey,
    topics,
    logPartitions,
    schema,
    consumerGroups,
    projectorEnv: {
      ...kafka('projector'),
      DATABASE_URL: projectorEnv.DATABASE_URL,
      DB_SCHEMA: schema,
      LOG_TOPIC: topics.log,
      PARKED_TOPIC: topics.parked,
    },
    envs,
    services,
    diagnostics: () => services.map((s) => s.tail()).join('\n'),
  };
  // A service that exits during start-up fails the start at once, with its output, instead of
  // leaving the health probes to time out.
  let settled = false;
  const exitedEarly = new Promise<never>((_, reject) => {
    for (const s of services) {
      void s.ended.then((how) => {
        if (!settled) reject(new Error(`${s.name} exited during start-up (${how.signal ?? how.code})`));
      });
    }
  });
  const healthy = Promise.all(
    [stack.ingestUrl, stack.dispatcherUrl, stack.projectorUrl].map((base, i) =>
      eventually(
        async () => {
          if (settled) return true; // start-up already failed: stop polling
          const res = await fetch(`${base}/health`);
          return res.status === 200 ? true : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 250, what: `${services[i].name} /health` },
      ),
    ),
  );
  try {
    await Promise.race([healthy, exitedEarly]);
    settled = true;
  } catch (e) {
    settled = true;
    const diagnostics = stack.diagnostics();
    await Promise.all(services.map((s) => s.kill()));
    throw new Error(`${(e as Error).message}\n${diagnostics}`, { cause: e });
  }
  return stack;
}

/**
 * Starts one more instance of a service of the stack (same groups, topics and keys; its own port,
 * and for ingest its own HTTP transactional id) and waits until its `/health` answers 200.
 */
export async function startInstance(
  stack: E2eStack,
  service: ServiceName,
  name: string,
): Promise<{ child: ChildService; url: string }> {
  const port = await freePort();
  const child = new ChildService(name, builtEntry(service), {
    ...stack.envs[service],
    HTTP_PORT: String(port),
    ...(service === 'ingest' && {
      HTTP_TRANSACTIONAL_ID: uniqueName('e2e-ingest-http'),
      KAFKA_CLIENT_ID: uniqueName('e2e-ingest'),
    }),
  });
  stack.services.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitForStack(
    stack,
    `${name} /health`,
    async () => {
      if (!child.running) throw new Error(`${name} exited during start-up\n${child.tail()}`);
      const res = await fetch(`${url}/health`).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    },
    90_000,
  );
  return { child, url };
}

/** Stops every service of the stack, killing what does not stop in time. */
export async function stopE2eStack(stack: E2eStack | undefined): Promise<void> {
  if (!stack) return;
  await Promise.all(stack.services.map((s) => s.stop(10_000).catch(() => s.kill())));
}

/** Deletes the stack's topics from the shared broker and its schemas (plus `schemas`) from the database. */
export async function removeE2eTraces(stack: E2eStack | undefined, schemas: string[] = []): Promise<void> {
  if (!stack) return;
  const admin = new Kafka({
    brokers: kafkaBrokers(),
    clientId: uniqueName('e2e-cleanup'),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin
    .deleteTopics({ topics: Object.values(stack.topics).filter((t) => existing.has(t)) })
    .catch(() => undefined);
  await admin.disconnect();
  const db = new Client({ connectionString: databaseUrl() });
  await db.connect();
  for (const schema of [stack.schema, ...schemas])
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
}

/** `eventually` that appends the services' last output lines when it gives up. */
export async function waitForStack<T>(
  stack: E2eStack | undefined,
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 45_000,
): Promise<T> {
  try {
    return await eventually(probe, { timeoutMs, intervalMs: 200, what });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${stack?.diagnostics() ?? ''}`, { cause: e });
  }
}

/**
 * Replays the whole log into a fresh `replaySchema`, then runs `verify` until it finds no difference
 * with the live projection: the live projector may still be a poll behind the end of the log, and
 * it only moves forward. Fails with verify's last output (and the services' last lines) otherwise.
 */
export async function replayAndVerify(
  stack: E2eStack,
  vars: Record<string, string>,
  replaySchema: string,
  timeoutMs = 60_000,
): Promise<{ replay: ScriptResult; verified: ScriptResult }> {
  const replay = await runScript(
    builtEntry('projector', 'cli/replay.cli.js'),
    ['--schema', replaySchema],
    vars,
    180_000,
  );
  expect({ code: replay.code, stderr: replay.stderr }).toEqual({ code: 0, stderr: '' });
  let last = '';
  const verified = await waitForStack(
    stack,
    'verify: the projection equals the replay',
    async () => {
      const r = await runScript(
        builtEntry('projector', 'cli/verify.cli.js'),
        ['--replay', replaySchema],
        vars,
        timeoutMs,
      );
      last = r.stdout + r.stderr;
      return r.code === 0 ? r : undefined;
    },
    timeoutMs,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\nlast verify output:\n${last}`, { cause: e });
  });
  return { replay, verified };
}

/** What every end-to-end file runs against: the stack, a mail server, a Kafka client, a producer. */
export interface E2eRun {
  stack?: E2eStack;
  smtp?: SmtpCapture;
  kafka?: TestKafka;
  producer?: DispatchProducer;
}

/** Starts a mail server, the stack (mailing to it), a Kafka client and a producer playing Dispatch. */
export async function startE2eRun(): Promise<Required<E2eRun>> {
  const smtp = await SmtpCapture.start();
  const kafka = new TestKafka();
  const stack = await startE2eStack({ smtpUrl: smtp.url });
  return { smtp, kafka, stack, producer: new DispatchProducer(stack.topics.inbound) };
}

/** Stops everything `startE2eRun` started and leaves nothing behind on the broker and database. */
export async function stopE2eRun(run: E2eRun, schemas: string[] = []): Promise<void> {
  await run.producer?.close();
  await stopE2eStack(run.stack);
  await run.kafka?.close();
  await run.smtp?.close();
  await removeE2eTraces(run.stack, schemas);
}

/** A read-API call with the stack's API key (or `key`), answering the status and the parsed body. */
export async function projectorApi<T>(
  stack: E2eStack,
  path: string,
  init: RequestInit = {},
  key: string | null = stack.apiKey,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(path.startsWith('http') ? path : `${stack.projectorUrl}${path}`, {
    ...init,
    headers,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
