import { DEFAULT_TOPICS } from '@app/contracts';
import {
  CLUSTER_DEFAULT_REPLICATION,
  env,
  type KafkaSecurity,
  kafkaConnectionFrom,
  kafkaEnv,
  loadConfig,
  loggingEnv,
  SecretBox,
} from '@app/platform';
import { hostname } from 'node:os';
import { z } from 'zod';

const MiB = 1024 * 1024;

/** A key ring that SecretBox accepts; checked at boot so a bad value names SECRETS_KEYS. */
const keyRing = z.string().superRefine((v, ctx) => {
  try {
    SecretBox.parseKeyRing(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

/**
 * Every environment variable ingest reads. The keys are the variable names (docs/ingest.md has the
 * table); `loadIngestConfig` turns them into the typed `IngestConfig` the app runs on.
 */
export const ingestEnvSchema = z
  .object({
    /** KAFKA_BROKERS and the TLS / SASL variables, read the same way by every service. */
    ...kafkaEnv,
    KAFKA_CLIENT_ID: env.string('callbacks-ingest'),
    INBOUND_TOPIC: env.string(DEFAULT_TOPICS.inbound),
    INBOUND_PARTITIONS: env.int(6, 1, 1000),
    INBOUND_RETENTION_MS: env.int(7 * 24 * 3600 * 1000, 60_000),
    DLQ_TOPIC: env.string(DEFAULT_TOPICS.deadLetter),
    DLQ_PARTITIONS: env.int(1, 1, 1000),
    DLQ_RETENTION_MS: env.int(30 * 24 * 3600 * 1000, 60_000),
    LOG_TOPIC: env.string(DEFAULT_TOPICS.log),
    LOG_PARTITIONS: env.int(6, 1, 1000),
    PARKED_TOPIC: env.string(DEFAULT_TOPICS.parked),
    /** Unset: the cluster's default.replication.factor. */
    TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).optional(),
    CONSUMER_GROUP: env.string('callbacks-ingest'),
    TRANSACTIONAL_ID_PREFIX: env.string('callbacks-ingest'),
    /**
     * Host name and process id: two instances on one host never share it (they would fence each
     * other's every request), and a container restarted under its host name (same pid) fences its
     * predecessor's open transaction at once (decision 0683).
     */
    HTTP_TRANSACTIONAL_ID: env.string(`callbacks-ingest-http-${hostname()}-${process.pid}`),
    TRANSACTION_TIMEOUT_MS: env.int(15_000, 1_000, 900_000),
    DEDUP_WINDOW_SECONDS: env.int(24 * 3600, 1, 30 * 24 * 3600),
    DEDUP_MAX_IDS: env.int(1_000_000, 100, 50_000_000),
    DEDUP_REBUILD_TIMEOUT_MS: env.int(30_000, 1_000, 600_000),
    SECRETS_KEYS: keyRing,
    SECRETS_ACTIVE_KEY: z.string().min(1).max(64).optional(),
    HTTP_HOST: env.string('0.0.0.0'),
    HTTP_PORT: env.port(3001),
    API_KEYS: env.list().pipe(z.array(z.string().min(16, 'API keys must be at least 16 characters')).min(1)),
    HTTP_BODY_LIMIT_BYTES: env.int(MiB, 1024, 64 * MiB),
    HTTP_MAX_EVENTS: env.int(500, 1, 10_000),
    OCCURRED_AT_WINDOW_SECONDS: env.int(7 * 24 * 3600, 60, 10 * 366 * 24 * 3600),
    METRICS_REQUIRE_KEY: env.bool(false),
    /** LOG_FORMAT (json | pretty) and LOG_LEVEL, read the same way by every service. */
    ...loggingEnv,
  })
  .superRefine((v, ctx) => {
    if (v.SECRETS_ACTIVE_KEY && !SecretBox.parseKeyRing(v.SECRETS_KEYS).has(v.SECRETS_ACTIVE_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['SECRETS_ACTIVE_KEY'], message: 'not a key id in SECRETS_KEYS' });
    }
  });

/** The typed configuration ingest runs on: flat, camelCase, one field per variable. */
export interface IngestConfig {
  kafkaBrokers: string[];
  /** TLS and SASL of a secured cluster; absent = plaintext. */
  kafkaSecurity?: KafkaSecurity;
  kafkaClientId: string;
  inboundTopic: string;
  inboundPartitions: number;
  inboundRetentionMs: number;
  deadLetterTopic: string;
  deadLetterPartitions: number;
  deadLetterRetentionMs: number;
  logTopic: string;
  logPartitions: number;
  /** Where records that cannot be processed after bounded retries are set aside. */
  parkedTopic: string;
  replicationFactor: number;
  consumerGroup: string;
  /** transactionalId = `<prefix>-<inbound topic>-<partition>`: one producer per input partition. */
  transactionalIdPrefix: string;
  transactionTimeoutMs: number;
  dedupWindowSeconds: number;
  dedupMaxIds: number;
  dedupRebuildTimeoutMs: number;
  /** An event's occurredAt must lie within this of the time ingest receives it, either way. */
  occurredAtWindowMs: number;
  secretsKeys: string;
  secretsActiveKeyId?: string;
  httpHost: string;
  /** 0 = any free port (tests). */
  httpPort: number;
  apiKeys: string[];
  httpBodyLimitBytes: number;
  httpMaxEvents: number;
  /** Stable per instance, so a restarted instance fences and aborts its predecessor's open transaction. */
  httpTransactionalId: string;
  /** `/metrics` answers only with an API key. */
  metricsRequireKey: boolean;
}

/** Reads and validates the variables once (a bad value stops the process, exit 78). */
export function loadIngestConfig(source: NodeJS.ProcessEnv = process.env): IngestConfig {
  const v = loadConfig(ingestEnvSchema, source);
  const { brokers, ...kafkaSecurity } = kafkaConnectionFrom(v);
  return {
    kafkaBrokers: brokers,
    kafkaSecurity,
    kafkaClientId: v.KAFKA_CLIENT_ID,
    inboundTopic: v.INBOUND_TOPIC,
    inboundPartitions: v.INBOUND_PARTITIONS,
    inboundRetentionMs: v.INBOUND_RETENTION_MS,
    deadLetterTopic: v.DLQ_TOPIC,
    deadLetterPartitions: v.DLQ_PARTITIONS,
    deadLetterRetentionMs: v.DLQ_RETENTION_MS,
    logTopic: v.LOG_TOPIC,
    logPartitions: v.LOG_PARTITIONS,
    parkedTopic: v.PARKED_TOPIC,
    replicationFactor: v.TOPIC_REPLICATION_FACTOR ?? CLUSTER_DEFAULT_REPLICATION,
    consumerGroup: v.CONSUMER_GROUP,
    transactionalIdPrefix: v.TRANSACTIONAL_ID_PREFIX,
    transactionTimeoutMs: v.TRANSACTION_TIMEOUT_MS,
    dedupWindowSeconds: v.DEDUP_WINDOW_SECONDS,
    dedupMaxIds: v.DEDUP_MAX_IDS,
    dedupRebuildTimeoutMs: v.DEDUP_REBUILD_TIMEOUT_MS,
    occurredAtWindowMs: v.OCCURRED_AT_WINDOW_SECONDS * 1000,
    secretsKeys: v.SECRETS_KEYS,
    secretsActiveKeyId: v.SECRETS_ACTIVE_KEY,
    httpHost: v.HTTP_HOST,
    httpPort: v.HTTP_PORT,
    apiKeys: v.API_KEYS,
    httpBodyLimitBytes: v.HTTP_BODY_LIMIT_BYTES,
    httpMaxEvents: v.HTTP_MAX_EVENTS,
    httpTransactionalId: v.HTTP_TRANSACTIONAL_ID,
    metricsRequireKey: v.METRICS_REQUIRE_KEY,
  };
}
