import { z } from 'zod';
import { DEFAULT_TOPICS } from '@app/contracts';
import {
  ConfigError,
  env,
  type KafkaSecurity,
  kafkaConnectionFrom,
  kafkaEnv,
  loadConfig,
  loggingEnv,
  type NamedKey,
} from '@app/platform';

/** `name:key`: the name is what the log records as the admin who authorised a write. */
const namedKey = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}:.{16,}$/,
    'expected name:key (name: letters, digits, . _ -; key: at least 16 characters)',
  )
  .transform((v): NamedKey => ({ name: v.slice(0, v.indexOf(':')), key: v.slice(v.indexOf(':') + 1) }));

/** Schema names are interpolated into SQL, so they are restricted to plain identifiers. */
export const schemaNameSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier: a-z, 0-9, _ (max 63 characters)');

/** Environment variables of the projector; the keys are the variable names. */
export const projectorEnvSchema = z.object({
  /** KAFKA_BROKERS and the TLS / SASL variables, read the same way by every service. */
  ...kafkaEnv,
  /** PostgreSQL connection URL. */
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/test'),
  /** Schema holding the projection; replay builds into another one. */
  DB_SCHEMA: schemaNameSchema.default('callbacks'),
  /** The event log topic. */
  LOG_TOPIC: env.string(DEFAULT_TOPICS.log),
  /** Partitions the log is created with if it does not exist yet. */
  LOG_PARTITIONS: env.int(6, 1, 1000),
  /** Consumer group of the projection (only an offset hint: the database checkpoint wins). */
  CONSUMER_GROUP: env.string('callbacks-projector'),
  /** Read API port. */
  HTTP_PORT: env.port(3003),
  /** Interface the read API listens on. */
  HTTP_HOST: env.string('0.0.0.0'),
  /** API keys accepted by the read API (comma list); at least one. */
  API_KEYS: env.list().pipe(z.array(z.string().min(16, 'API keys must be at least 16 characters')).min(1)),
  /**
   * Keys of the write endpoints (enable, resend, recover), `name:key` comma list; they read too.
   * Without one, nobody can write (decision 0626).
   */
  ADMIN_API_KEYS: env.list().pipe(z.array(namedKey)),
  /** Shortest time between two emails about one disable: the follow-up digest (decision 0622). */
  ALERT_FOLLOW_UP_MS: env.int(3_600_000, 100, 7 * 24 * 3600_000),
  /** Callbacks a recovery resends per second at most, all recoveries together (decision 0625). */
  RECOVERY_RATE: env.int(50, 1, 10_000),
  /** SMTP server for notification emails, e.g. smtp://mail.example.edu:587. */
  SMTP_URL: env.url('smtp://127.0.0.1:25'),
  /** Sender address of notification emails. */
  MAIL_FROM: z.email().default('dispatch-callbacks@localhost'),
  /**
   * Base URL of this API as operators reach it: the console link and the re-enable instructions of
   * emails (and the console's cookies are Secure when it is https).
   */
  PUBLIC_BASE_URL: env.url('http://127.0.0.1:3003'),
  /** First delay before retrying an email after an SMTP failure; doubles up to MAIL_RETRY_MAX_MS. */
  MAIL_RETRY_BASE_MS: env.int(5_000, 10),
  MAIL_RETRY_MAX_MS: env.int(300_000, 10),
  /** How often the email and event outboxes are polled. */
  OUTBOX_POLL_MS: env.int(1_000, 10, 60_000),
  /** Events applied per database transaction (each a few multi-row statements). */
  APPLY_CHUNK: env.int(500, 1, 5_000),
  /**
   * Events per transaction of a replay (and of a rebuild): larger, nothing reads its schema until
   * it is done (decision 0742).
   */
  REPLAY_CHUNK: env.int(5_000, 1, 50_000),
  /** Serve the OpenAPI page and document at /docs and /docs-json (false: both answer 404). */
  DOCS_ENABLED: env.bool(true),
  /** `/metrics` answers only with one of API_KEYS. */
  METRICS_REQUIRE_KEY: env.bool(false),
  /** The topic where ingest and the dispatcher park records (read by `audit`). */
  PARKED_TOPIC: env.string(DEFAULT_TOPICS.parked),
  /**
   * What to do when the projection was built from another log than LOG_TOPIC at KAFKA_BROKERS is
   * now (recreated topic, other cluster) or a checkpoint is beyond its end: `refuse` (do not
   * consume, explain) or `rebuild` (replay into a fresh schema and switch to it). Decision 0642.
   */
  ON_LOG_MISMATCH: z.enum(['refuse', 'rebuild']).default('refuse'),
  /** LOG_FORMAT (json | pretty) and LOG_LEVEL, read the same way by every service. */
  ...loggingEnv,
});

export interface ProjectorConfig {
  kafkaBrokers: string[];
  /** TLS and SASL of a secured cluster; absent = plaintext (tests build configs without it). */
  kafkaSecurity?: KafkaSecurity;
  databaseUrl: string;
  schema: string;
  logTopic: string;
  logPartitions: number;
  consumerGroup: string;
  httpPort: number;
  httpHost: string;
  apiKeys: string[];
  adminApiKeys: NamedKey[];
  smtpUrl: string;
  mailFrom: string;
  publicBaseUrl: string;
  mailRetryBaseMs: number;
  mailRetryMaxMs: number;
  outboxPollMs: number;
  applyChunk: number;
  replayChunk: number;
  alertFollowUpMs: number;
  recoveryRate: number;
  docsEnabled: boolean;
  metricsRequireKey: boolean;
  parkedTopic: string;
  onLogMismatch: 'refuse' | 'rebuild';
  /** Which background workers run (tests turn some off to simulate a crash window). */
  workers: { projection: boolean; relay: boolean; mail: boolean; recovery: boolean };
  /** Test-only fault injection; never set from the environment. */
  hooks?: ProjectorHooks;
}

export interface ProjectorHooks {
  /** Called right after a projection transaction committed, before Kafka offsets are committed. */
  afterCommit?: (info: { partition: number; nextOffset: string; types: string[] }) => void | Promise<void>;
}

export function loadProjectorConfig(source: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const e = loadConfig(projectorEnvSchema, source);
  if (e.ADMIN_API_KEYS.some((a) => e.API_KEYS.includes(a.key))) {
    throw new ConfigError(['ADMIN_API_KEYS: an admin key must not also be a read key (API_KEYS)']);
  }
  const { brokers, ...kafkaSecurity } = kafkaConnectionFrom(e);
  return {
    kafkaBrokers: brokers,
    kafkaSecurity,
    databaseUrl: e.DATABASE_URL,
    schema: e.DB_SCHEMA,
    logTopic: e.LOG_TOPIC,
    logPartitions: e.LOG_PARTITIONS,
    consumerGroup: e.CONSUMER_GROUP,
    httpPort: e.HTTP_PORT,
    httpHost: e.HTTP_HOST,
    apiKeys: e.API_KEYS,
    adminApiKeys: e.ADMIN_API_KEYS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    mailRetryBaseMs: e.MAIL_RETRY_BASE_MS,
    mailRetryMaxMs: e.MAIL_RETRY_MAX_MS,
    outboxPollMs: e.OUTBOX_POLL_MS,
    applyChunk: e.APPLY_CHUNK,
    replayChunk: e.REPLAY_CHUNK,
    alertFollowUpMs: e.ALERT_FOLLOW_UP_MS,
    recoveryRate: e.RECOVERY_RATE,
    docsEnabled: e.DOCS_ENABLED,
    metricsRequireKey: e.METRICS_REQUIRE_KEY,
    parkedTopic: e.PARKED_TOPIC,
    onLogMismatch: e.ON_LOG_MISMATCH,
    workers: { projection: true, relay: true, mail: true, recovery: true },
  };
}
