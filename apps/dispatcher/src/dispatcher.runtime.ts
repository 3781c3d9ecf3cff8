import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { LIMITS } from '@app/contracts';
import {
  batchUnit,
  ConsumerSupervisor,
  createKafka,
  describeLog,
  ensureTopics,
  FOREVER,
  type HealthCheck,
  kafkaAnswers,
  LogIdentityReader,
  payloadFor,
  PoisonGuard,
  SecretBox,
  takeOverPatiently,
  type LogIdentity,
} from '@app/platform';
import type { DispatcherConfig } from './config/dispatcher.config';
import { HttpSender } from './delivery/http.sender';
import { PERMANENT_ERRORS } from './domain/retry.policy';
import { DispatcherMetrics } from './observability/dispatcher.metrics';
import { AttemptHandOff } from './pipeline/attempt.hand-off';
import { CallbackAttemptRunner } from './pipeline/callback-attempt.runner';
import { coPartitionAssigner, type MemberRole } from './pipeline/co-partition.assigner';
import { ConcurrencyGate } from './pipeline/concurrency.gate';
import { LogProcessor } from './pipeline/log.processor';
import { PartitionRegistry } from './pipeline/partition.registry';
import type { ProcessorContext } from './pipeline/processor.context';
import { RecordParker } from './pipeline/record.parker';
import { RetryParking } from './pipeline/retry.parking';
import { RetryProcessor } from './pipeline/retry.processor';
import { dispatcherTopicSpecs } from './pipeline/topic.specs';
import type { TransactionHook } from './pipeline/transaction.writer';

/** Test-only fault injection; never set from the environment. */
export interface DispatcherHooks {
  /** Called at each step of every transaction; a throw fails it there (decision 0621). */
  transactionStep?: TransactionHook;
}

const HEARTBEAT_MS = 1000;
/** Pause between tries to start over on a new log (see startOver). */
const RESTART_PAUSE_MS = 2_000;
/** Attempts handed off and not recorded yet, per process; beyond it batches wait as before 0335. */
const MAX_IN_FLIGHT = 10_000;
/** Tries to take an assigned partition over, one per pause, while the assignment stands (0684). */
const TAKE_OVER_TRIES = 60;
const TAKE_OVER_PAUSE_MS = 1_000;
/** A partition with no progress this long is stuck and its consumer replaced (decision 0685). */
const STALL_AFTER_MS = 60_000;

export interface DispatcherStatus {
  /** Readiness of the log and retry consumers. */
  checks: Record<`${MemberRole}-consumer`, HealthCheck>;
  instanceId: string;
  /** The log dispatched, e.g. `callbacks.log (cluster …, topic id …)`. */
  log: string | null;
  assigned: Record<MemberRole, number[]>;
}

/**
 * Wires the pipeline: topics, the two consumers of one group (log and retry) with the
 * co-partitioning assigner, the processors, and an orderly stop. Kafka is driven by kafkajs
 * directly (decision 0003); Nest only manages the lifecycle.
 */
export class DispatcherRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Dispatcher');
  private readonly instanceId = randomUUID();
  private readonly kafka: Kafka;
  private admin?: Admin;
  private registry?: PartitionRegistry;
  private sender?: HttpSender;
  private runner?: CallbackAttemptRunner;
  private metrics?: DispatcherMetrics;
  private reader?: LogIdentityReader;
  /** The log the running pipeline dispatches (cluster id + topic id). */
  private log?: LogIdentity;
  private restarting?: Promise<void>;
  private consumers: Partial<Record<MemberRole, ConsumerSupervisor>> = {};
  private retryProcessor?: RetryProcessor;
  private logProcessor?: LogProcessor;
  private running = false;
  private readonly assigned: Record<MemberRole, number[]> = { log: [], retry: [] };
  /** Counts each role's assignments: a take-over of an older one stops trying. */
  private readonly generation: Record<MemberRole, number> = { log: 0, retry: 0 };

  constructor(
    private readonly config: DispatcherConfig,
    private readonly hooks: DispatcherHooks = {},
  ) {
    this.kafka = createKafka({
      brokers: config.kafkaBrokers,
      ...config.kafkaSecurity,
      clientId: `dispatcher-${this.instanceId.slice(0, 8)}`,
    });
  }

  status(): DispatcherStatus {
    const check = (role: MemberRole): HealthCheck => {
      if (!this.running)
        return { status: 'down', reason: 'starting, stopping or starting over on a new log' };
      return this.consumers[role]?.readiness() ?? { status: 'down', reason: 'not started' };
    };
    return {
      checks: { 'log-consumer': check('log'), 'retry-consumer': check('retry') },
      instanceId: this.instanceId,
      log: this.log ? describeLog(this.log) : null,
      assigned: this.assigned,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async start(): Promise<void> {
    const c = this.config;
    const topics = { log: c.logTopic, retry: c.retryTopic, state: c.stateTopic };
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await ensureTopics(this.admin, dispatcherTopicSpecs(c, FOREVER));
    await this.checkCoPartitioned([topics.log, topics.retry, topics.state]);

    this.metrics = new DispatcherMetrics();
    this.sender = new HttpSender({
      allowedNetworks: c.ssrfAllowedNetworks,
      maxSnippetBytes: LIMITS.maxResponseSnippetBytes,
      userAgent: 'dispatch-callbacks/1',
      maxSocketsPerHost: c.maxConcurrencyPerHost,
      maxTotalSockets: c.maxConcurrency,
    });
    this.runner = new CallbackAttemptRunner(
      {
        policy: {
          maxAttempts: c.maxAttempts,
          delayMs: c.retryDelayMs,
          maxRetryAfterMs: c.retryAfterMaxMs,
          successStatuses: c.successStatuses,
          permanentErrors: PERMANENT_ERRORS,
        },
        timeoutMs: c.callbackTimeoutMs,
        publicBaseUrl: c.publicBaseUrl,
      },
      SecretBox.fromSpec(c.secretsKeys),
      this.sender,
      new ConcurrencyGate(c.maxConcurrency, c.maxConcurrencyPerHost),
      this.metrics,
    );
    this.reader = new LogIdentityReader(this.kafka);
    await this.startPipeline();
  }

  async stop(): Promise<void> {
    if (!this.admin) return;
    const admin = this.admin;
    this.admin = undefined;
    await this.restarting;
    await this.drain();
    await this.stopPipeline();
    await this.sender?.close();
    await this.reader?.close();
    await admin.disconnect();
    this.logger.log('stopped');
  }

  /**
   * The consumers and everything they hold in memory, for one log (decision 0643): the registry
   * (producers, offsets, state), the handed-off attempts and the processors. A new log (the topic
   * was recreated) gets a new pipeline; nothing of the old one is reused.
   */
  private async startPipeline(): Promise<void> {
    const c = this.config;
    const topics = { log: c.logTopic, retry: c.retryTopic, state: c.stateTopic, parked: c.parkedTopic };
    const metrics = this.metrics!;
    const admin = this.admin;
    if (!admin) return; // stopping
    const identity = await this.reader!.read(topics.log);
    this.log = identity;
    const registry = new PartitionRegistry(this.kafka, admin, topics, c.consumerGroup, {
      identity,
      reader: this.reader!,
      onChanged: (found) => void this.startOver(identity, found),
      onForeignStates: (n) => metrics.foreign.inc({ role: 'state' }, n),
    });
    this.registry = registry;
    // A handed-off attempt is recorded once its request must have ended (timeout + 1 s), or after
    // the retry delay if that is shorter.
    const inFlightDueMs = Math.min(c.retryDelayMs, c.callbackTimeoutMs + 1_000);
    const handOff = new AttemptHandOff(c.batchWaitMs, inFlightDueMs, MAX_IN_FLIGHT);
    const runner = this.runner!;
    const ctx: ProcessorContext = {
      topics,
      groupId: c.consumerGroup,
      metrics,
      heartbeatMs: HEARTBEAT_MS,
      hook: this.hooks.transactionStep,
    };
    // A failure while the broker does not answer is the broker's, never a record's (decision 0603).
    const storeUp = () => kafkaAnswers(this.admin);
    const supervisors: Partial<Record<MemberRole, ConsumerSupervisor>> = {};
    const retry = new RetryProcessor(ctx, registry, runner, handOff, {
      maxBufferedBytes: c.retryBufferMb * 1024 * 1024,
      seek: (partition, offset) => {
        try {
          supervisors.retry?.current?.seek({ topic: topics.retry, partition, offset: offset.toString() });
        } catch (e) {
          // Not assigned any more: the next owner starts from the committed offset anyway.
          this.logger.warn(`could not seek retry partition ${partition}: ${String(e)}`);
        }
      },
      parking: new RetryParking(storeUp),
    });
    this.retryProcessor = retry;
    const processors = { log: new LogProcessor(ctx, registry, runner, handOff), retry };
    this.logProcessor = processors.log;
    // A log batch that keeps failing deterministically is retried, then its records one by one; the
    // one that still fails is parked and the partition goes on (a broker outage is waited out as
    // before). The retry processor applies the same rule to its own chunks (RetryParking).
    const parker = new RecordParker(registry, topics.parked, c.consumerGroup);
    const logGuard = new PoisonGuard('dispatcher-log', { storeUp });
    const eachBatch = {
      log: (payload: EachBatchPayload) =>
        logGuard.run({
          ...batchUnit(payload),
          process: (messages) => processors.log.handle(payloadFor(payload, messages)),
          park: (m, failure) => parker.park('log', payload, m, failure),
        }),
      retry: (payload: EachBatchPayload) => retry.handle(payload),
    };

    for (const role of ['log', 'retry'] as const) {
      const supervisor: ConsumerSupervisor = new ConsumerSupervisor({
        name: `dispatcher-${role}`,
        staleAfterMs: c.kafkaSessionTimeoutMs,
        // A batch may wait for its attempts' requests (a full hand-off) up to their timeout.
        stallAfterMs: Math.max(STALL_AFTER_MS, c.callbackTimeoutMs + STALL_AFTER_MS / 2),
        // Waiting on purpose (bounded memory) is not being stuck.
        held: () => handOff.full || (role === 'retry' && retry.full),
        create: () => this.createConsumer(role, topics, registry, handOff, retry, () => supervisor.active),
        run: async (consumer) => {
          await consumer.connect();
          // Both consumers subscribe to both topics: kafkajs hands the leader's subscription to the
          // assigner, which then gives each consumer only its own topic's partitions.
          await consumer.subscribe({ topics: [topics.log, topics.retry], fromBeginning: true });
          await consumer.run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            partitionsConsumedConcurrently: c.logPartitions,
            eachBatch: eachBatch[role],
          });
        },
      });
      supervisors[role] = supervisor;
      this.consumers[role] = supervisor;
      await supervisor.start();
    }
    this.running = true;
    this.logger.log(
      `started (instance ${this.instanceId}, group ${c.consumerGroup}, log ${describeLog(identity)})`,
    );
  }

  /**
   * SIGTERM (decision 0683): while this process still owns its partitions, take no new log batch,
   * let the running ones commit, then record the attempts it handed off as their requests end.
   * Leaving first would let the next owner send them again. Bounded by SHUTDOWN_DRAIN_MS.
   */
  private async drain(): Promise<void> {
    if (!this.running) return;
    const deadline = Date.now() + this.config.shutdownDrainMs;
    try {
      this.consumers.log?.current?.pause([{ topic: this.config.logTopic }]);
    } catch {
      // Not running: there is no batch to stop.
    }
    await this.logProcessor?.drain();
    const left = (await this.retryProcessor?.drain(deadline)) ?? 0;
    if (left > 0)
      this.logger.warn(
        `stopping with ${left} handed-off attempts not recorded (SHUTDOWN_DRAIN_MS); their partitions' next owner sends them again`,
      );
  }

  private async stopPipeline(): Promise<void> {
    this.running = false;
    // Retry chunks first: the running ones finish and commit while this process still owns their
    // partitions (after it leaves, the next owner fences it and sends them again). Then the
    // consumers: running batches finish, nothing new starts, and the group moves the partitions.
    await this.retryProcessor?.stop();
    this.retryProcessor = undefined;
    this.logProcessor = undefined;
    await Promise.allSettled(Object.values(this.consumers).map((c) => c.stop()));
    this.consumers = {};
    await this.registry?.close();
    this.registry = undefined;
  }

  /**
   * The log topic became another log while running (deleted and recreated): kafkajs would go on
   * at its old positions and skip the new log's first records. Start over instead: new consumers
   * (positions from the new log's committed offsets, i.e. its start), state and retry records of
   * the old log ignored by their marker, attempts handed off under the old log forgotten.
   */
  private async startOver(was: LogIdentity, found: LogIdentity): Promise<void> {
    if (this.restarting || !this.admin) return;
    this.logger.warn(
      `the log changed from ${describeLog(was)} to ${describeLog(found)}: starting over on the new log ` +
        `(state and retry records of the old one are ignored)`,
    );
    this.restarting = (async () => {
      await this.stopPipeline();
      // The new topic may not serve yet: try again until it does or the service stops.
      while (this.admin) {
        try {
          return await this.startPipeline();
        } catch (e) {
          this.logger.error(`could not start over on the new log (${(e as Error).message}); retrying`);
          await this.stopPipeline();
          await new Promise((r) => setTimeout(r, RESTART_PAUSE_MS));
        }
      }
    })().finally(() => (this.restarting = undefined));
    await this.restarting;
  }

  private createConsumer(
    role: MemberRole,
    topics: { log: string; retry: string },
    registry: PartitionRegistry,
    handOff: AttemptHandOff,
    retry: RetryProcessor,
    active: () => boolean,
  ): Consumer {
    const c = this.config;
    const consumer = this.kafka.consumer({
      groupId: c.consumerGroup,
      partitionAssigners: [coPartitionAssigner({ instanceId: this.instanceId, role }, topics)],
      sessionTimeout: c.kafkaSessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(c.kafkaSessionTimeoutMs / 3)),
      maxWaitTimeInMs: 250,
      // Smaller fetches than kafkajs's 10 MiB / 1 MiB defaults: a batch's attempts are all alive
      // until its transaction commits, so the fetch size bounds memory under a backlog.
      maxBytes: 4 * 1024 * 1024,
      maxBytesPerPartition: 512 * 1024,
      allowAutoTopicCreation: false,
      // A batch that fails for good must not silently stop the consumer: it restarts and the
      // batch is tried again (and /health, logs and metrics show it). Not once stopping.
      retry: { retries: 5, restartOnFailure: async () => active() },
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const mine = e.payload.memberAssignment[role === 'log' ? topics.log : topics.retry] ?? [];
      this.assigned[role] = [...mine].sort((a, b) => a - b);
      this.generation[role] += 1;
      this.logger.log(`${role} consumer owns partitions [${this.assigned[role].join(',')}]`);
      // Anything held from the previous generation may have been processed by another owner.
      if (role === 'retry') retry.reassigned();
      void registry.releaseAll(role);
      // Attempts handed off and failures not read back in partitions now owned elsewhere are the
      // new owner's to redo.
      handOff.retain(this.assigned[role]);
      registry.retainFailing(this.assigned[role]);
      // Every partition is taken over now, not at its first batch (decision 0683): that fences a
      // dead owner's producers and aborts the transactions it left open. Until then those hold
      // every read_committed reader of the partition (this consumer too) at the open transaction,
      // so no batch would come to do it before the transaction timed out.
      if (this.admin) this.takeOverNow(role, this.assigned[role], registry, retry);
    });
    if (role === 'retry') {
      // A fetch of nothing but transaction markers never reaches eachBatch, yet moves the position
      // the retry schedule must reach before it may fire (decision 0620).
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.batchSize === 0 && payload.topic === topics.retry)
          retry.passed(payload.partition, payload.firstOffset ?? null, payload.lastOffset);
      });
    }
    return consumer;
  }

  /**
   * Takes every assigned partition over now, and again after a pause when that fails, as long as
   * the assignment stands (`takeOverPatiently`, decision 0684).
   */
  private takeOverNow(
    role: MemberRole,
    partitions: readonly number[],
    registry: PartitionRegistry,
    retry: RetryProcessor,
  ): void {
    const generation = this.generation[role];
    const current = () => this.generation[role] === generation && this.registry === registry && !!this.admin;
    for (const partition of partitions) {
      const takeOver = () => (role === 'log' ? registry.lease('log', partition) : retry.open(partition));
      void takeOverPatiently(takeOver, {
        tries: TAKE_OVER_TRIES,
        pauseMs: TAKE_OVER_PAUSE_MS,
        current,
        failed: (e, attempt, last) =>
          this.logger.warn(
            `could not take ${role} partition ${partition} over${last ? '' : ` yet (try ${attempt})`}: ${e.message}`,
          ),
      });
    }
  }

  /** The retry and state topics must have exactly the log's partition count, or keys would not line up. */
  private async checkCoPartitioned(names: string[]): Promise<void> {
    const meta = await this.admin!.fetchTopicMetadata({ topics: names });
    const counts = meta.topics.map((t) => `${t.name}=${t.partitions.length}`);
    if (new Set(meta.topics.map((t) => t.partitions.length)).size !== 1) {
      throw new Error(
        `the log, retry and state topics must have the same number of partitions (${counts.join(', ')})`,
      );
    }
  }
}
