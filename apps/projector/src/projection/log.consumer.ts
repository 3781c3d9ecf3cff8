import { Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import {
  batchUnit,
  ConsumerSupervisor,
  type HealthCheck,
  PoisonGuard,
  type LogIdentity,
} from '@app/platform';
import type { ProjectorHooks } from '../config/projector.config';
import { LogMismatchError } from './log.check';
import type { ApplyResult, ProjectionApplier } from './projection.applier';

/**
 * Whether records may be applied (decision 0641). Each answer is null when they may, or the
 * report saying why not.
 */
export interface LogGuard {
  /** The log every batch must come from (checked at start). */
  readonly log: LogIdentity;
  /** Before the first batch after an assignment: the assigned partitions' checkpoints. */
  checkAssigned(partitions: number[]): Promise<string | null>;
  /** Before every batch, after it was fetched: the log is still `log`. */
  confirm(): Promise<string | null>;
}

export interface LogConsumerOptions {
  topic: string;
  groupId: string;
  /** Events per database transaction. */
  chunk: number;
  /**
   * Partitions applied at the same time, each in its own transaction (1: one after the other).
   * Safe because the log is keyed by communication: the rows one partition's events change are
   * never another partition's, and each partition has its own checkpoint row.
   */
  partitionsAtOnce?: number;
  /** Next offset per partition from the database: where consumption must resume. */
  checkpoints: Map<number, bigint>;
  /**
   * The group was made up for this run (a replay): it has no offsets, so it starts at the log's
   * beginning without being pointed anywhere (pointing a new group costs the broker seconds).
   */
  newGroup?: boolean;
  guard: LogGuard;
  /** Called once when the guard refuses; nothing is applied from then on. */
  onMismatch: (report: string) => void;
  hooks?: ProjectorHooks;
  onApplied?: (partition: number, result: ApplyResult) => void;
}

/**
 * Feeds the log into the applier, partition by partition. Kafka group offsets are only a hint: at
 * start the group is pointed at the database checkpoints, and every record at or below a
 * checkpoint is skipped by the applier anyway.
 *
 * That skip is only right for the log the checkpoints count: a log recreated under the same name
 * starts again at offset 0, and kafkajs even carries on at its old position when the topic is
 * recreated while it runs (no rebalance happens). So every assignment is checked against the
 * checkpoints, and every batch against the log's identity, before anything is applied.
 */
export class LogConsumer {
  private readonly logger = new Logger('log-consumer');
  private readonly poison: PoisonGuard;
  private supervisor?: ConsumerSupervisor;
  /** Next offset known to be applied (or skipped as a marker), per partition. */
  readonly positions = new Map<number, bigint>();
  /** Partitions of the latest assignment and the (shared, retried on failure) check of them. */
  private assignment?: { partitions: number[]; check?: Promise<string | null> };
  private refusal?: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly applier: ProjectionApplier,
    private readonly options: LogConsumerOptions,
  ) {
    for (const [p, next] of options.checkpoints) this.positions.set(p, next);
    // A chunk that keeps failing while the database answers is retried, then applied record by
    // record; the record that still fails is parked (parked_records) and the partition goes on.
    this.poison = new PoisonGuard('projector', { storeUp: () => applier.storeAnswers() });
  }

  /** For `/health`: joined its group and answered by the broker. */
  readiness(): HealthCheck {
    return this.supervisor?.readiness() ?? { status: 'down', reason: 'not started' };
  }

  /** For `/health`: the partitions this instance consumes now, per topic. */
  partitions(): Record<string, number[]> {
    return this.supervisor?.partitions() ?? {};
  }

  async start(): Promise<void> {
    const { groupId } = this.options;
    await this.pointGroupAtCheckpoints();
    const supervisor: ConsumerSupervisor = new ConsumerSupervisor({
      name: 'projector-log',
      create: () => {
        const consumer = this.kafka.consumer({
          groupId,
          sessionTimeout: 30_000,
          heartbeatInterval: 3_000,
          maxWaitTimeInMs: 250,
          // The broker answers a fetch once this much is there or the wait above ends (decision
          // 0745): under load the projector applies fewer, larger chunks (fewer transactions,
          // statements and commits per event); the history may lag the log by the wait.
          minBytes: 256 * 1024,
          // Large fetches keep replay fast; the total stays bounded (kafkajs's default is 10 MiB).
          maxBytesPerPartition: 2 * 1024 * 1024,
          maxBytes: 8 * 1024 * 1024,
          // kafkajs's default retry count; its restarts end once stopping.
          retry: { retries: 5, restartOnFailure: async () => supervisor.active },
        });
        // Batches made only of transaction markers never reach eachBatch; follow them here so that
        // "caught up to the end offsets" can be decided.
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          if (payload.batchSize === 0 && !this.refusal)
            this.advance(payload.partition, BigInt(payload.lastOffset) + 1n);
        });
        // Emitted before the new generation fetches anything, so its first batch waits for the check.
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
          this.assignment = { partitions: payload.memberAssignment[this.options.topic] ?? [] };
        });
        return consumer;
      },
      run: (consumer) => this.run(consumer),
    });
    this.supervisor = supervisor;
    await supervisor.start();
  }

  private async run(consumer: Consumer): Promise<void> {
    const { topic, chunk, hooks } = this.options;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      partitionsConsumedConcurrently: this.options.partitionsAtOnce ?? 1,
      eachBatch: async (payload) => {
        const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
        if (this.refusal) return;
        const refusal = (await this.checkAssignment()) ?? (await this.options.guard.confirm());
        if (refusal) return this.refuse(refusal);
        const messages = batch.messages;
        for (let i = 0; i < messages.length; i += chunk) {
          if (!isRunning() || isStale()) return;
          const part = messages.slice(i, i + chunk);
          const last = i + chunk >= messages.length;
          const endOffset = last ? batch.lastOffset() : part[part.length - 1].offset;
          const result = await this.applyGuarded(payload, part, endOffset);
          // Stopping or rebalancing (the rest is read again), or the log turned out to be another.
          if (!result) return;
          await hooks?.afterCommit?.({
            partition: batch.partition,
            nextOffset: (BigInt(endOffset) + 1n).toString(),
            types: result.types,
          });
          this.advance(batch.partition, BigInt(endOffset) + 1n);
          this.options.onApplied?.(batch.partition, result);
          resolveOffset(endOffset);
          await heartbeat();
        }
        await commitOffsetsIfNecessary();
      },
    });
  }

  /**
   * Applies one chunk in one transaction; under the PoisonGuard when that keeps failing. Returns
   * the totals, or undefined when it gave up because the consumer is stopping, or because the
   * checkpoint names another log (refused: that is no record's fault, nothing is parked).
   */
  private async applyGuarded(
    payload: EachBatchPayload,
    part: KafkaMessage[],
    endOffset: string,
  ): Promise<ApplyResult | undefined> {
    const partition = payload.batch.partition;
    const total: ApplyResult = { applied: 0, duplicates: 0, skipped: 0, parked: 0, rows: 0, types: [] };
    const add = (r: ApplyResult) => {
      total.applied += r.applied;
      total.duplicates += r.duplicates;
      total.skipped += r.skipped;
      total.parked += r.parked;
      total.rows += r.rows;
      total.types.push(...r.types);
    };
    const { log } = this.options.guard;
    const apply = async (records: readonly KafkaMessage[], end: string) => {
      try {
        add(await this.applier.apply(partition, records, end, log));
        return true;
      } catch (e) {
        // The checkpoint row itself names another log (e.g. rebuilt by another instance).
        if (!(e instanceof LogMismatchError)) throw e;
        this.refuse(e.report);
        return false;
      }
    };
    let reached = -1n;
    const unit = batchUnit(payload);
    try {
      await this.poison.run<KafkaMessage>({
        ...unit,
        records: part,
        // Once refused, nothing more is tried (and nothing parked).
        active: () => !this.refusal && unit.active(),
        process: async (records) => {
          const whole = records.length === part.length;
          const end = whole ? endOffset : records[records.length - 1].offset;
          if (await apply(records, end)) reached = BigInt(end);
        },
        park: async (m, failure) => {
          await this.applier.park(partition, m, failure, log);
          total.parked += 1;
          reached = BigInt(m.offset);
        },
      });
    } catch (e) {
      if (!(e instanceof LogMismatchError)) throw e;
      this.refuse(e.report);
      return undefined;
    }
    if (this.refusal || reached < BigInt(part[part.length - 1].offset)) return undefined;
    // Applied record by record: the checkpoint still has to move over the markers after the last.
    if (reached < BigInt(endOffset) && !(await apply([], endOffset))) return undefined;
    return total;
  }

  /** Why nothing is applied any more, if the guard refused. */
  get refused(): string | undefined {
    return this.refusal;
  }

  private checkAssignment(): Promise<string | null> {
    const a = this.assignment;
    if (!a) return Promise.resolve(null);
    a.check ??= this.options.guard.checkAssigned(a.partitions).catch((e) => {
      // Could not check (broker or database away): the batch fails and the next one checks again.
      a.check = undefined;
      throw e;
    });
    return a.check;
  }

  private refuse(report: string): void {
    if (this.refusal) return;
    this.refusal = report;
    this.options.onMismatch(report);
  }

  /** True when every partition has been applied up to the given end offsets. */
  caughtUp(ends: Map<number, bigint>): boolean {
    for (const [p, end] of ends) if ((this.positions.get(p) ?? 0n) < end) return false;
    return true;
  }

  async stop(): Promise<void> {
    await this.supervisor?.stop();
    this.supervisor = undefined;
  }

  private advance(partition: number, next: bigint) {
    if (next > (this.positions.get(partition) ?? 0n)) this.positions.set(partition, next);
  }

  private async pointGroupAtCheckpoints(): Promise<void> {
    const { topic, groupId, checkpoints, newGroup } = this.options;
    if (newGroup && checkpoints.size === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      const partitions = offsets.map((o) => ({
        partition: o.partition,
        offset: (checkpoints.get(o.partition) ?? BigInt(o.low)).toString(),
      }));
      await admin.setOffsets({ groupId, topic, partitions });
    } catch (e) {
      // Another member is running (the group is not empty): its committed offsets stay a hint and
      // the checkpoint comparison in the applier still prevents duplicates.
      this.logger.warn(`could not point group ${groupId} at the checkpoints: ${(e as Error).message}`);
    } finally {
      await admin.disconnect();
    }
  }
}

/** End offsets (high watermarks) of every partition of a topic, right now. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}
