import type { Consumer } from 'kafkajs';
import { Gauge } from 'prom-client';
import type { HealthCheck } from '../observability/health';
import { metricsRegistry } from '../observability/metrics.registry';
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
}

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

  constructor(private readonly spec: SupervisedConsumerSpec) {
    this.logger = loggerFor(`consumer:${spec.name}`);
    this.ready = new ConsumerReadiness(spec.staleAfterMs ?? 30_000);
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
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.ready.stopped();
    this.own({});
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
      this.ready.joined(Date.now());
      this.own(payload.memberAssignment);
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
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
    await old?.disconnect().catch(() => undefined);
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
