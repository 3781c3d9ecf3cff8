import { randomUUID } from 'node:crypto';
import { failureHolds, type CallbackConfig, type LogEvent } from '@app/contracts';
import { recordAttempt, type AttemptReport } from '../domain/attempt-outcome';
import type { Stamp } from '../domain/callback-records';
import { attemptKey, type RetryRecord, type StartedAttempt } from '../domain/retry-record';
import type { DispatcherMetrics } from '../observability/dispatcher.metrics';
import type { AttemptHandOff, RunningAttempt } from './attempt.hand-off';
import type { BatchChanges } from './batch-changes';
import type { CallbackAttemptRunner } from './callback-attempt.runner';
import type { PartitionRegistry } from './partition.registry';
import type { OutputTopics, TransactionHook } from './transaction.writer';

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

const keyOf = (r: AttemptReport) => attemptKey(r.started.callbackId, r.started.attempt);
