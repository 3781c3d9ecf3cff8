import { z } from 'zod';
import { DEFAULT_TOPICS } from '@app/contracts';
import {
  env,
  type KafkaSecurity,
  kafkaConnectionFrom,
  kafkaEnv,
  loadConfig,
  loggingEnv,
  SecretBox,
} from '@app/platform';
import { parseCidr } from '../delivery/address.guard';

const statusList = z
  .string()
  .default('200')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^\d{3}$/, 'an HTTP status is three digits')
          .transform(Number),
      )
      .min(1, 'at least one HTTP status')
      .refine((a) => a.every((n) => n >= 100 && n <= 599), 'HTTP statuses are 100..599'),
  );

/** A key ring is checked at boot so that a bad key stops the service, not the first callback. */
const keyRing = z
  .string()
  .min(1)
  .refine(
    (v) => {
      try {
        SecretBox.parseKeyRing(v);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected keyId:base64key[,keyId:base64key...] with 32-byte keys' },
  );

/**
 * Every environment variable the dispatcher reads. The keys are the variable names, so a validation
 * error names the variable to fix (docs/dispatcher.md has the table); `loadDispatcherConfig` turns
 * them into the `DispatcherConfig` the app runs on.
 */
export const dispatcherConfigSchema = z
  .object({
    /** KAFKA_BROKERS and the TLS / SASL variables, read the same way by every service. */
    ...kafkaEnv,
    /** The event log (source of truth) the dispatcher reads and appends to. */
    LOG_TOPIC: env.string(DEFAULT_TOPICS.log),
    /** Partitions of the log; the retry and state topics are created with the same count. */
    LOG_PARTITIONS: env.int(6, 1, 1000),
    /** Durable retry schedule (records carry their due time), co-partitioned with the log. */
    RETRY_TOPIC: env.string('callbacks.retry'),
    /** Compacted per-communication state, co-partitioned with the log, loaded at start-up. */
    STATE_TOPIC: env.string('callbacks.dispatcher.state'),
    /** Where log and retry records that fail deterministically after bounded retries are set aside. */
    PARKED_TOPIC: env.string(DEFAULT_TOPICS.parked),
    /** Consumer group of the log and retry consumers; also the prefix of transactional ids. */
    CONSUMER_GROUP: env.string('callbacks-dispatcher'),
    /** Key ring that opens sealed credentials and signing secrets (never logged). */
    SECRETS_KEYS: keyRing,
    /** Timeout of one whole HTTP exchange. */
    CALLBACK_TIMEOUT_MS: env.int(120_000, 100, 600_000),
    /** Delay between a failed attempt and the next one. */
    RETRY_DELAY_MS: env.int(300_000, 100, 7 * 24 * 3600_000),
    /**
     * Longest delay a receiver's `Retry-After` (on 429 or 503) can impose on the next attempt; a
     * shorter request than RETRY_DELAY_MS changes nothing (decision 0630).
     */
    RETRY_AFTER_MAX_MS: env.int(3_600_000, 0, 7 * 24 * 3600_000),
    /**
     * Memory for retry records read and waiting for their due time, all partitions together. Past
     * it the retry consumer stops reading until records fire, so records further on may fire late
     * (metric dispatcher_retry_read_paused_total, decision 0620).
     */
    RETRY_BUFFER_MB: env.int(64, 1, 4096),
    /**
     * How long a batch waits for its attempts before handing the ones still running to the retry
     * topic (decision 0335): a slow receiver then holds no fetch of other partitions or batches
     * longer than this. The wait includes time queued at the concurrency gate, so it is set well
     * above what a busy batch of healthy receivers takes (a shorter wait hands off healthy attempts
     * whose history then arrives late).
     */
    BATCH_WAIT_MS: env.int(10_000, 50, 600_000),
    /**
     * On SIGTERM, how long the dispatcher keeps its partitions to record the attempts it handed off
     * as their requests end (decision 0683); what is still running then is sent again by the next
     * owner. Keep the orchestrator's grace period above it plus BATCH_WAIT_MS.
     */
    SHUTDOWN_DRAIN_MS: env.int(15_000, 0, 600_000),
    /** Attempts of one callback before it is flagged failed. */
    MAX_ATTEMPTS: env.int(3, 1, 100),
    /** HTTP statuses that count as success (comma list). */
    SUCCESS_STATUSES: statusList,
    /** Public base URL of the projector, for the batch URL in CommunicationCompleted POST bodies. */
    PUBLIC_BASE_URL: env.url('http://127.0.0.1:3003'),
    /** CIDR ranges callbacks may reach although private/loopback (comma list; empty = none). */
    SSRF_ALLOWED_NETWORKS: env.list([]).superRefine((list, ctx) => {
      for (const cidr of list) {
        try {
          parseCidr(cidr);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      }
    }),
    /** Requests in flight at once, all destinations together. */
    MAX_CONCURRENCY: env.int(256, 1, 10_000),
    /** Requests in flight at once to one destination host. */
    MAX_CONCURRENCY_PER_HOST: env.int(32, 1, 10_000),
    /** Kafka consumer session timeout: how fast a dead instance's partitions move to another. */
    KAFKA_SESSION_TIMEOUT_MS: env.int(30_000, 6_000, 300_000),
    /** Port of /health and /metrics. */
    HTTP_PORT: env.port(3002),
    /** Interface /health and /metrics listen on. */
    HTTP_HOST: env.string('0.0.0.0'),
    /** `/metrics` answers only with one of API_KEYS (Authorization: Bearer or X-Api-Key). */
    METRICS_REQUIRE_KEY: env.bool(false),
    /** Comma list of keys (16+ characters) that may read /metrics when METRICS_REQUIRE_KEY is set. */
    API_KEYS: env.list().pipe(z.array(z.string().min(16, 'API keys must be at least 16 characters'))),
    /** LOG_FORMAT (json | pretty) and LOG_LEVEL, read the same way by every service. */
    ...loggingEnv,
  })
  .superRefine((v, ctx) => {
    if (v.METRICS_REQUIRE_KEY && v.API_KEYS.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['API_KEYS'],
        message: 'required when METRICS_REQUIRE_KEY is true',
      });
    }
  });

/** The typed configuration the dispatcher runs on: flat, camelCase, one field per variable. */
export interface DispatcherConfig {
  kafkaBrokers: string[];
  /** TLS and SASL of a secured cluster; absent = plaintext. */
  kafkaSecurity?: KafkaSecurity;
  /** Kafka consumer session timeout: how fast a dead instance's partitions move to another. */
  kafkaSessionTimeoutMs: number;
  /** The event log (source of truth) the dispatcher reads and appends to. */
  logTopic: string;
  /** Partitions of the log; the retry and state topics are created with the same count. */
  logPartitions: number;
  /** Durable retry schedule (records carry their due time), co-partitioned with the log. */
  retryTopic: string;
  /** Compacted per-communication state, co-partitioned with the log, loaded at start-up. */
  stateTopic: string;
  /** Where log and retry records that fail deterministically after bounded retries are set aside. */
  parkedTopic: string;
  /** Consumer group of the log and retry consumers; also the prefix of transactional ids. */
  consumerGroup: string;
  /** Key ring that opens sealed credentials and signing secrets (never logged). */
  secretsKeys: string;
  callbackTimeoutMs: number;
  retryDelayMs: number;
  retryAfterMaxMs: number;
  retryBufferMb: number;
  batchWaitMs: number;
  /** On SIGTERM, how long handed-off attempts may take to be recorded before leaving (0683). */
  shutdownDrainMs: number;
  maxAttempts: number;
  successStatuses: number[];
  /** The projector's public base URL, for the batch URL in CommunicationCompleted POST bodies. */
  publicBaseUrl: string;
  ssrfAllowedNetworks: string[];
  maxConcurrency: number;
  maxConcurrencyPerHost: number;
  httpPort: number;
  httpHost: string;
  metricsRequireKey: boolean;
  apiKeys: string[];
}

/** Reads and validates the variables once (a bad value stops the process, exit 78). */
export function loadDispatcherConfig(source: NodeJS.ProcessEnv = process.env): DispatcherConfig {
  const v = loadConfig(dispatcherConfigSchema, source);
  const { brokers, ...kafkaSecurity } = kafkaConnectionFrom(v);
  return {
    kafkaBrokers: brokers,
    kafkaSecurity,
    kafkaSessionTimeoutMs: v.KAFKA_SESSION_TIMEOUT_MS,
    logTopic: v.LOG_TOPIC,
    logPartitions: v.LOG_PARTITIONS,
    retryTopic: v.RETRY_TOPIC,
    stateTopic: v.STATE_TOPIC,
    parkedTopic: v.PARKED_TOPIC,
    consumerGroup: v.CONSUMER_GROUP,
    secretsKeys: v.SECRETS_KEYS,
    callbackTimeoutMs: v.CALLBACK_TIMEOUT_MS,
    retryDelayMs: v.RETRY_DELAY_MS,
    retryAfterMaxMs: v.RETRY_AFTER_MAX_MS,
    retryBufferMb: v.RETRY_BUFFER_MB,
    batchWaitMs: v.BATCH_WAIT_MS,
    shutdownDrainMs: v.SHUTDOWN_DRAIN_MS,
    maxAttempts: v.MAX_ATTEMPTS,
    successStatuses: v.SUCCESS_STATUSES,
    publicBaseUrl: v.PUBLIC_BASE_URL,
    ssrfAllowedNetworks: v.SSRF_ALLOWED_NETWORKS,
    maxConcurrency: v.MAX_CONCURRENCY,
    maxConcurrencyPerHost: v.MAX_CONCURRENCY_PER_HOST,
    httpPort: v.HTTP_PORT,
    httpHost: v.HTTP_HOST,
    metricsRequireKey: v.METRICS_REQUIRE_KEY,
    apiKeys: v.API_KEYS,
  };
}
