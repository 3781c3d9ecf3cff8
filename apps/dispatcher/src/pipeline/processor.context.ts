import { randomUUID } from 'node:crypto';
import { failureHolds, type CallbackConfig, type LogEvent } from '@app/contracts';
import { recordAttempt, type AttemptReport } from '../domain/attempt.outcome';
import type { Stamp } from '../domain/callback.records';
import { attemptKey, type RetryRecord, type StartedAttempt } from '../domain/retry.record';
import type { DispatcherMetrics } from '../observability/dispatcher.metrics';
import type { Producer } from 'kafkajs';
import type { AttemptHandOff, Collected, RunningAttempt } from './attempt.hand-off';
import type { BatchChanges } from './batch.changes';
import type { CallbackAttemptRunner } from './callback-attempt.runner';
import type { MemberRole } from './co-partition.assigner';
import type { PartitionRegistry } from './partition.registry';
import { logChangedError } from './retriable.error';
import {
  commitTransaction,
  type OutputTopics,
  type TransactionHook,
  type TransactionOutput,
} from './transaction.writer';

/** What both processors share: names, metrics, timings and the test hook. */
export interface ProcessorContext {
  topics: OutputTopics;
  groupId: string;
  metrics: DispatcherMetrics;
  heartbeatMs: number;
  hook?: TransactionHook;
}

/** Envelope facts of an event this process appends. */
export const stamp = (): Stamp => ({ eventId: randomUUID(), occurredAt: new Date() });

/**
 * Starts one attempt. While the communication is still enabled in the attempt's epoch the request
 * may leave; a failure decided for it marks the communication at once, so its requests that have
 * not left yet are cancelled (decision 0334). The mark belongs to `changes`.
 */
export function startAttempt(
  registry: PartitionRegistry,
  runner: CallbackAttemptRunner,
  handOff: AttemptHandOff,
  partition: number,
  changes: BatchChanges,
  callback: CallbackConfig,
  started: StartedAttempt,
): RunningAttempt {
  // Already made by this process (handed off, or kept from a transaction that failed): record it,
  // do not send it again.
  const held = handOff.held(started.callbackId, started.attempt);
  const output =
    held ??
    runner.run({
      started,
      callback,
      stillActive: () => registry.isActive(partition, started.communicationId, started.epoch),
    });
  const marked = output.then((report) => {
    // A failure of an attempt whose communication was disabled since it started will be
    // recorded as cancelled (decision 0623): it must not stop the communication's requests.
    const now = registry.stateOf(partition, started.communicationId);
    if (failureHolds(now, started.epoch, report.sent && report.verdict.outcome === 'failed')) {
      registry.markFailing(changes, partition, started.communicationId, keyOf(report));
    }
    return report;
  });
  return { started, output: marked, held: held !== undefined };
}

/**
 * Records finished attempts against the communications' state NOW (`recordAttempt`). A failure
 * that ends up recorded as something else (its communication moved on) lifts its mark.
 */
export function recordReports(
  ctx: ProcessorContext,
  registry: PartitionRegistry,
  changes: BatchChanges,
  partition: number,
  reports: readonly AttemptReport[],
): { events: LogEvent[]; retries: RetryRecord[] } {
  const events: LogEvent[] = [];
  const retries: RetryRecord[] = [];
  for (const report of reports) {
    const now = registry.stateOf(partition, report.started.communicationId);
    const recorded = recordAttempt(report, now, stamp);
    events.push(...recorded.events);
    if (recorded.retry) retries.push(recorded.retry);
    if (report.sent && report.verdict.outcome === 'failed' && !recorded.failed)
      registry.unmarkFailing(changes, report.started.communicationId, keyOf(report));
    if (recorded.outcome === 'not-sent') {
      ctx.metrics.cancelled.inc();
    } else {
      const errorKind =
        report.sent && report.verdict.outcome !== 'succeeded' ? report.verdict.error.kind : 'none';
      ctx.metrics.attempts.inc({ outcome: recorded.outcome, error_kind: errorKind });
      ctx.metrics.attemptsByHost.inc({
        host: ctx.metrics.hostLabels.of(report.ref.url),
        outcome: recorded.outcome,
      });
      if (recorded.outcome === 'cancelled') ctx.metrics.cancelled.inc();
    }
  }
  return { events, retries };
}

/** One batch's (or retry chunk's) attempts and the in-memory changes they made. */
export interface BatchPart {
  changes: BatchChanges;
  running: readonly RunningAttempt[];
  collected: Collected;
}

/**
 * The end every batch shares, log or retry: confirm once more that the topic is still our log
 * (the attempts may have run for seconds), record the finished attempts, write them with the rest
 * of `output` and the input's next offset in ONE transaction, and only then let memory follow
 * (decision 0621). `afterCommit` runs right after the commit, before memory follows. On a failure
 * nothing is kept in memory: the caller calls `undoBatch` and takes the partition over again.
 */
export async function commitBatch(
  ctx: ProcessorContext,
  registry: PartitionRegistry,
  handOff: AttemptHandOff,
  batch: {
    role: MemberRole;
    partition: number;
    producer: Producer;
    nextOffset: bigint;
    parts: readonly Omit<BatchPart, 'running'>[];
    /** Written before the recorded attempts' events (the log batch's cancellations). */
    output: Omit<TransactionOutput, 'retries'>;
    afterCommit?: () => void;
  },
): Promise<void> {
  const { role, partition, parts } = batch;
  if (!(await registry.confirmLog())) throw logChangedError();
  const events = [...batch.output.events];
  const retries: RetryRecord[] = [];
  for (const part of parts) {
    const recorded = recordReports(ctx, registry, part.changes, partition, part.collected.outputs);
    events.push(...recorded.events);
    retries.push(...recorded.retries, ...part.collected.handedOff);
  }
  const topic = role === 'log' ? ctx.topics.log : ctx.topics.retry;
  await commitTransaction(
    batch.producer,
    ctx.topics,
    { groupId: ctx.groupId, topic, partition, nextOffset: batch.nextOffset },
    { ...batch.output, events, retries },
    registry.marker,
    ctx.hook,
  );
  batch.afterCommit?.();
  for (const part of parts) {
    part.changes.commit();
    handOff.committed(part.collected);
    ctx.metrics.handedOff.inc({ role }, part.collected.handedOff.length);
  }
  ctx.metrics.batches.inc({ role });
}

/**
 * After a batch that did not commit: memory goes back to what was committed, and its attempts are
 * kept, so that the redo records them instead of sending the requests a second time.
 */
export function undoBatch(
  handOff: AttemptHandOff,
  partition: number,
  parts: readonly Pick<BatchPart, 'changes' | 'running'>[],
): void {
  for (const part of parts) {
    part.changes.rollback();
    handOff.kept(partition, part.running);
  }
}

const keyOf = (r: AttemptReport) => attemptKey(r.started.callbackId, r.started.attempt);
