import { Logger } from '@nestjs/common';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import {
  describeRecord,
  type Failure,
  headerString,
  LOG_MARKER_HEADER,
  parkedRecordOf,
  reportParked,
} from '@app/platform';
import { decodeRetryRecord, type RetryRecord } from '../domain/retry-record';
import type { DispatcherMetrics } from '../observability/dispatcher.metrics';
import type { AttemptHandOff, Collected, RunningAttempt } from './attempt.hand-off';
import type { CallbackAttemptRunner } from './callback-attempt.runner';
import { logChangedError } from './log-changed.error';
import type { PartitionRegistry } from './partition.registry';
import { commitTransaction, type OutputTopics } from './transaction.writer';

/** Retries handled in one transaction at most (bounds memory and the size of a transaction). */
const MAX_CHUNK = 500;

/**
 * One batch of one retry partition. The delay is the same for every retry, so records are in due
 * order within a partition and the head is always the next one due: wait until it is due
 * (heartbeating, and giving up at once on shutdown or rebalance), then attempt every record that is
 * due by now and commit their results with the retry offset in one transaction.
 *
 * An in-flight record (decision 0335) stands for an attempt already sent: when this process still
 * holds it, its result is recorded without sending again; otherwise it is sent again. Attempts of a
 * chunk still running after BATCH_WAIT_MS are handed off the same way as the log's.
 *
 * The wait happens inside eachBatch instead of pause()/resume(), which kafkajs 2.x gets wrong in
 * some rebalance cases (issues 1376 and 1599).
 */
export class RetryProcessor {
  private readonly log = new Logger('RetryProcessor');

  constructor(
    private readonly registry: PartitionRegistry,
    private readonly runner: CallbackAttemptRunner,
    private readonly topics: OutputTopics,
    private readonly groupId: string,
    private readonly metrics: DispatcherMetrics,
    private readonly heartbeatMs: number,
    private readonly handOff: AttemptHandOff,
  ) {}

  async handle({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    if (batch.topic !== this.topics.retry || batch.messages.length === 0) return;
    const lease = await this.registry.lease('retry', partition);
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= lease.nextOffset);
    if (messages.length === 0) return resolveOffset(batch.lastOffset());

    let next = 0;
    while (next < messages.length) {
      if (!isRunning() || isStale()) return;
      const dueAt = this.dueTimeOf(messages[next]);
      if (dueAt > Date.now()) {
        await this.waitUntil(dueAt, heartbeat, () => isRunning() && !isStale());
        continue;
      }
      const chunk: ChunkItem[] = [];
      const now = Date.now();
      while (next < messages.length && chunk.length < MAX_CHUNK && this.dueTimeOf(messages[next]) <= now) {
        chunk.push(this.chunkItem(partition, messages[next]));
        next += 1;
      }
      // Attempts of a recreated log's callbacks would append their events to the new log.
      if (!(await this.registry.confirmLog())) return;
      await this.attemptChunk(partition, chunk, heartbeat);
      resolveOffset(chunk[chunk.length - 1].message.offset);
    }
  }

  private async attemptChunk(
    partition: number,
    chunk: ChunkItem[],
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const lease = await this.registry.lease('retry', partition);
    await this.registry.stateReady(partition);
    const timer = setInterval(() => heartbeat().catch(() => undefined), this.heartbeatMs);
    let collected: Collected | undefined;
    try {
      const running = chunk.flatMap(({ record }) => (record ? [this.start(partition, record)] : []));
      collected = await this.handOff.collect(partition, running);
      const outputs = collected.outputs;
      const nextOffset = BigInt(chunk[chunk.length - 1].message.offset) + 1n;
      // A record that cannot be decoded can never be attempted: it is parked, not dropped.
      const parked = chunk.flatMap((c) => (c.undecodable === undefined ? [] : [undecodable(c)]));
      // Again right before the commit: the attempts may have run for seconds.
      if (!(await this.registry.confirmLog())) throw logChangedError();
      await commitTransaction(
        lease.producer,
        this.topics,
        { groupId: this.groupId, topic: this.topics.retry, partition, nextOffset },
        {
          events: outputs.flatMap((o) => o.events),
          retries: [...outputs.flatMap((o) => (o.retry ? [o.retry] : [])), ...collected.handedOff],
          states: [],
          parked: parked.map((p) =>
            parkedRecordOf(
              { topic: this.topics.retry, partition, ...p.message },
              'dispatcher-retry',
              p.failure,
              new Date(),
            ),
          ),
        },
        this.registry.marker,
      );
      for (const p of parked) {
        reportParked('dispatcher-retry', describeRecord(this.topics.retry, partition, p.message), p.failure);
      }
      this.handOff.committed(collected);
      this.metrics.handedOff.inc({ role: 'retry' }, collected.handedOff.length);
      this.registry.advance('retry', partition, nextOffset);
      this.metrics.batches.inc({ role: 'retry' });
    } catch (e) {
      if (collected) this.handOff.aborted(collected);
      await this.registry.release('retry', partition);
      throw e;
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * The record to attempt; or none: scheduled by a dispatcher of another log (skipped: a retry
   * topic shared by two deployments, or one that outlived its log; decision 0643), or undecodable
   * (parked: it can never be attempted, decision 0603).
   */
  private chunkItem(partition: number, message: KafkaMessage): ChunkItem {
    const marker = headerString(message.headers, LOG_MARKER_HEADER);
    if (!this.registry.isOwnRecord(marker)) {
      this.metrics.foreign.inc({ role: 'retry' });
      this.log.warn(
        `skipped retry record ${partition}/${message.offset}: scheduled for another log (${marker})`,
      );
      return { message, record: null };
    }
    const decoded = decodeRetryRecord(message.value);
    if (decoded.ok) return { message, record: decoded.record };
    this.metrics.undecodable.inc({ role: 'retry' });
    return { message, record: null, undecodable: decoded.message };
  }

  /** Due time of a record; a record that will be skipped is "due now", so nothing waits for it. */
  private dueTimeOf(message: KafkaMessage): number {
    if (!this.registry.isOwnRecord(headerString(message.headers, LOG_MARKER_HEADER))) return 0;
    const decoded = decodeRetryRecord(message.value);
    return decoded.ok ? Date.parse(decoded.record.dueAt) : 0;
  }

  /** The running attempt this process handed off, or a new request for the record. */
  private start(partition: number, record: RetryRecord): RunningAttempt {
    const started = {
      communicationId: record.communicationId,
      callbackId: record.callbackId,
      callbackConfigId: record.callbackConfigId,
      attempt: record.attempt,
      epoch: record.epoch,
      trigger: record.trigger,
      config: record.config,
    };
    const held = record.inFlight ? this.handOff.held(record.callbackId, record.attempt) : undefined;
    if (held) return { started, output: held, held: true };
    return { started, output: this.attempt(partition, record), held: false };
  }

  private async attempt(partition: number, record: RetryRecord) {
    const callback = record.config.callbacks.find((c) => c.id === record.callbackConfigId)!;
    const output = await this.runner.run({
      callbackId: record.callbackId,
      callback,
      trigger: record.trigger,
      config: record.config,
      attempt: record.attempt,
      epoch: record.epoch,
      stillActive: () => this.registry.isActive(partition, record.communicationId, record.epoch),
    });
    if (output.failed) this.registry.markFailing(partition, record.communicationId);
    return output;
  }

  /** Sleeps until `dueAt` in short steps, heartbeating; returns early when `keepGoing` turns false. */
  private async waitUntil(
    dueAt: number,
    heartbeat: () => Promise<void>,
    keepGoing: () => boolean,
  ): Promise<void> {
    while (keepGoing()) {
      const left = dueAt - Date.now();
      if (left <= 0) return;
      await new Promise((r) => setTimeout(r, Math.min(left, this.heartbeatMs, 1000)));
      // Throws on a rebalance: kafkajs then rejoins, and the wait starts over under the new owner.
      await heartbeat();
    }
  }
}

interface ChunkItem {
  message: KafkaMessage;
  /** Null: skipped (another log's) or parked (undecodable). */
  record: RetryRecord | null;
  /** Why the record could not be decoded (then `record` is null and it is parked). */
  undecodable?: string;
}

function undecodable(c: ChunkItem): { message: KafkaMessage; failure: Failure } {
  return {
    message: c.message,
    failure: { class: 'deterministic', code: 'undecodable', message: c.undecodable!, attempts: 0 },
  };
}
