import type { Consumer } from 'kafkajs';
import { Counter, Gauge } from 'prom-client';
import type { HealthCheck } from '../observability/health';
import { metricsRegistry } from '../observability/metrics.registry';
import { within } from '../resilience/bounded.wait';
import { ConsumerProgress, type Stall } from './consumer.progress';
import { ConsumerReadiness } from './consumer.readiness';
import { transientKafkaError } from './kafka.log';
import { loggerFor, type ContextLogger } from '../logging/context.logger';

export interface SupervisedConsumerSpec {
  /** Names the consumer in logs. */
  name: string;
  /** A configured consumer with its event listeners attached; not connected yet. */
  create(): Consumer;
  /** Connects, subscribes and runs it. */
  run(consumer: Consumer): Promise<void>;
  /** First pause before a new consumer; doubles per failed start, up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Silence from the broker after which readiness says down; the consumer's session timeout. */
  staleAfterMs?: number;
  /**
   * Schedules a relaunch (default `setTimeout`). Passed in so that a test can see every relaunch
   * the supervisor decides on, instead of waiting to see whether one happens.
   */
  setTimer?: (run: () => void, delayMs: number) => NodeJS.Timeout;
  /**
   * A partition that makes no progress for this long while it has records to read (or whose batch
   * runs this long) is stuck: the consumer is replaced (decision 0685). Default 60 s.
   */
  stallAfterMs?: number;
  /** Partitions the service holds on purpose (bounded memory): never judged stuck. */
  held?: (topic: string, partition: number) => boolean;
}

/** Default of `stallAfterMs`: well above any batch's bounded waits (30 s), below an on-call's patience. */
const STALL_AFTER_MS = 60_000;
/** How long the replaced consumer may take to leave; a hung batch would hold its disconnect forever. */
const DISCONNECT_WITHIN_MS = 10_000;

/**
 * Records behind the end of each partition this process consumes, as of its last batch; the
 * partitions it no longer owns are removed at each rebalance, so instances never double count.
 */
const partitionLag = new Gauge({
  name: 'kafka_consumer_partition_lag',
  help: 'Records between the last one this instance consumed and the end of the partition (per owned partition)',
  labelNames: ['topic', 'partition'],
  registers: [metricsRegistry],
});

/** Consumers replaced because a partition made no progress (decision 0685). */
const stallRestarts = new Counter({
  name: 'kafka_consumer_stall_restarts_total',
  help: 'Consumers replaced because an owned partition made no progress (a batch hung, or lag with no batch) for the stall limit',
  labelNames: ['consumer'],
  registers: [metricsRegistry],
});

/**
 * Keeps a kafkajs consumer running for as long as the service runs.
 *
 * kafkajs restarts a crashed consumer only when the error is retriable. Some errors it raises
 * while the broker is away are not (KafkaJSGroupCoordinatorNotFound when a restart finds no
 * coordinator), and the consumer then stays stopped for good while the process lives on: after a
 * long enough broker outage a service would never consume again. Here, such a crash starts a fresh
 * consumer after a pause, again and again until one runs or `stop()` is called.
 *
 * The first start is not retried: a service that cannot start fails its start-up, as before.
 *
 * It also replaces a consumer that is alive but stuck (decision 0685): a partition whose batch has
 * run, or which has had records to read with no batch, for `stallAfterMs` (`ConsumerProgress`).
 * One wait that never settles holds its partition's batch, and kafkajs fetches a broker's
 * partitions only once all their batches ended, so it would hold every partition of that broker
 * for as long as the process lives. The new consumer rejoins the group and takes its partitions
 * over afresh; the stuck batch, if it ever ends, finds itself stale.
 */
export class ConsumerSupervisor {
  private readonly logger: ContextLogger;
  private consumer?: Consumer;
  private timer?: NodeJS.Timeout;
  private failedStarts = 0;
  private stopping = false;
  private readonly ready: ConsumerReadiness;
  /** Partitions of each topic this instance owns since the last rebalance. */
  private owned: Record<string, number[]> = {};
  private readonly progress: ConsumerProgress;
  private readonly stallAfterMs: number;
  private guard?: NodeJS.Timeout;

  constructor(private readonly spec: SupervisedConsumerSpec) {
    this.logger = loggerFor(`consumer:${spec.name}`);
    this.ready = new ConsumerReadiness(spec.staleAfterMs ?? 30_000);
    this.stallAfterMs = spec.stallAfterMs ?? STALL_AFTER_MS;
    this.progress = new ConsumerProgress(this.stallAfterMs);
    // The series exists from the start (at 0), so an alert on its increase sees the first restart.
    stallRestarts.inc({ consumer: spec.name }, 0);
  }

  /** For `/health`: the consumer has joined its group and the broker answers it. */
  readiness(now = Date.now()): HealthCheck {
    return this.ready.check(now);
  }

  /** For `/health`: which partitions of which topics this instance consumes now. */
  partitions(): Record<string, number[]> {
    return this.owned;
  }

  /** The consumer now running, if any (kafkajs calls on it, e.g. `seek`). */
  get current(): Consumer | undefined {
    return this.consumer;
  }

  /** False once `stop()` began: give this to kafkajs's `retry.restartOnFailure`. */
  get active(): boolean {
    return !this.stopping;
  }

  /** Starts the first consumer; a failure here is the caller's (start-up fails). */
  async start(): Promise<void> {
    await this.launch();
    const every = Math.max(100, Math.min(5_000, Math.floor(this.stallAfterMs / 4)));
    this.guard = setInterval(() => this.checkProgress(), every);
    this.guard.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.ready.stopped();
    this.own({});
    clearInterval(this.guard);
    clearTimeout(this.timer);
    this.timer = undefined;
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  private async launch(): Promise<void> {
    const consumer = this.spec.create();
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (this.consumer !== consumer) return;
      this.ready.joined(Date.now());
      this.own(payload.memberAssignment);
      this.progress.assigned(payload.memberAssignment, Date.now());
    });
    consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
      if (this.consumer === consumer)
        this.progress.batchStarted(payload.topic, payload.partition, Date.now());
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (this.consumer !== consumer) return;
      this.progress.batchEnded(payload.topic, payload.partition, Number(payload.offsetLag), Date.now());
      if (this.owned[payload.topic]?.includes(payload.partition))
        partitionLag.set({ topic: payload.topic, partition: payload.partition }, Number(payload.offsetLag));
    });
    consumer.on(consumer.events.REQUEST, () => this.ready.answered(Date.now()));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.consumer !== consumer) return;
      this.ready.crashed(payload.error.name);
      this.logCrash(payload.error, payload.restart);
      if (!payload.restart) this.relaunchLater(payload.error);
    });
    await this.spec.run(consumer);
  }

  private own(assignment: Record<string, number[]>): void {
    for (const [topic, partitions] of Object.entries(this.owned)) {
      for (const partition of partitions)
        if (!assignment[topic]?.includes(partition)) partitionLag.remove({ topic, partition });
    }
    this.owned = Object.fromEntries(
      Object.entries(assignment).map(([topic, partitions]) => [topic, [...partitions].sort((a, b) => a - b)]),
    );
  }

  /**
   * One line per crash, for every consumer. A crash kafkajs restarts from because the broker was
   * briefly busy (coordinator loading, rebalancing: normal right after a broker starts) is a
   * warning; anything else is an error.
   */
  private logCrash(error: Error, restart: boolean): void {
    const transient = restart ? transientKafkaError(error) : undefined;
    const record = { message: `crashed (${error.name}: ${error.message}); kafkajs restarts it: ${restart}` };
    if (transient) this.logger.warn({ ...record, errorType: transient });
    else this.logger.error(record);
  }

  /** Replaces the consumer when a partition it owns is stuck (see the class comment). */
  private checkProgress(): void {
    const consumer = this.consumer;
    if (this.stopping || this.timer || !consumer) return;
    const paused = new Set(safePaused(consumer).flatMap((t) => t.partitions.map((p) => `${p}:${t.topic}`)));
    const held = (topic: string, partition: number) =>
      paused.has(`${partition}:${topic}`) || (this.spec.held?.(topic, partition) ?? false);
    const stalls = this.progress.stalls(Date.now(), held);
    if (stalls.length === 0) return;
    stallRestarts.inc({ consumer: this.spec.name });
    this.logger.error(
      `no progress for ${this.stallAfterMs} ms on ${stalls.map(describeStall).join(', ')}; replacing the consumer`,
    );
    this.progress.assigned({}, Date.now());
    this.ready.crashed('stuck');
    const setTimer = this.spec.setTimer ?? setTimeout;
    this.timer = setTimer(() => void this.relaunch(), 0);
  }

  private relaunchLater(cause: unknown): void {
    if (this.stopping || this.timer) return;
    const { initialDelayMs = 1_000, maxDelayMs = 10_000 } = this.spec;
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** this.failedStarts);
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    this.logger.warn(`stopped for good by kafkajs (${why}); starting a new consumer in ${delay} ms`);
    const setTimer = this.spec.setTimer ?? setTimeout;
    this.timer = setTimer(() => void this.relaunch(), delay);
  }

  private async relaunch(): Promise<void> {
    this.timer = undefined;
    const old = this.consumer;
    this.consumer = undefined;
    // A stuck batch holds kafkajs's disconnect; its member then leaves at its session timeout.
    await within(old?.disconnect() ?? Promise.resolve(), DISCONNECT_WITHIN_MS, 'leaving the group').catch(
      (e: Error) => this.logger.warn(`the old consumer did not stop cleanly (${e.message})`),
    );
    if (this.stopping) return;
    try {
      await this.launch();
      this.failedStarts = 0;
      this.logger.log('new consumer running');
    } catch (e) {
      this.failedStarts += 1;
      this.relaunchLater(e);
    }
  }
}

function safePaused(consumer: Consumer): { topic: string; partitions: number[] }[] {
  try {
    return consumer.paused();
  } catch {
    return [];
  }
}

function describeStall(s: Stall): string {
  const why = s.kind === 'batch' ? 'a batch that never ended' : 'records to read and no batch';
  return `${s.topic}[${s.partition}] (${why}, ${s.sinceMs} ms since it last moved)`;
}
