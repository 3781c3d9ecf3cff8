import { Logger } from '@nestjs/common';
import type { EachBatchPayload } from 'kafkajs';
import { decodeEvent, endsHolds, type LogEvent } from '@app/contracts';
import { cancelledEvent } from '../domain/callback.records';
import { callbacksDue, type DueCallback } from '../domain/callbacks.due';
import { evolve, type CommunicationState } from '../domain/communication.state';
import type { AttemptHandOff, RunningAttempt } from './attempt.hand-off';
import { BatchChanges } from './batch.changes';
import type { CallbackAttemptRunner } from './callback-attempt.runner';
import { startHeartbeats } from './heartbeat.loop';
import type { PartitionRegistry } from './partition.registry';
import { commitBatch, stamp, startAttempt, undoBatch, type ProcessorContext } from './processor.context';

/**
 * One batch of one log partition: fold every event into the communications' state, make the first
 * attempt of every callback it triggers (concurrently, through the gate), wait for them at most
 * BATCH_WAIT_MS, then append the results, the retry schedule (with an in-flight record for each
 * attempt still running, decision 0335) and the changed states with the consumed offset in one
 * transaction. A callback due while its communication is disabled is recorded as cancelled.
 *
 * Every in-memory change goes through the batch's `BatchChanges`: when the transaction does not
 * commit, they are undone before the batch is redone (decision 0621).
 *
 * The service's own events (CallbackAttempted, CallbackFailed, ...) only change state; they never
 * trigger callbacks, except a resend request. An event that cannot be decoded is counted, logged
 * and skipped.
 */
export class LogProcessor {
  private readonly log = new Logger('LogProcessor');

  constructor(
    private readonly ctx: ProcessorContext,
    private readonly registry: PartitionRegistry,
    private readonly runner: CallbackAttemptRunner,
    private readonly handOff: AttemptHandOff,
  ) {}

  /** Batches running now (a stopping process waits for them before it leaves the group). */
  private readonly running = new Set<Promise<void>>();
  private draining = false;

  /** eachBatch of the log consumer; once draining, batches are left to the partition's next owner. */
  handle(payload: EachBatchPayload): Promise<void> {
    if (this.draining) return Promise.resolve();
    const run = this.process(payload);
    this.running.add(run);
    const done = () => this.running.delete(run);
    run.then(done, done);
    return run;
  }

  /** Takes no new batch and waits for the running ones to commit (or fail). */
  async drain(): Promise<void> {
    this.draining = true;
    await Promise.allSettled([...this.running]);
  }

  private async process({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
  }: EachBatchPayload): Promise<void> {
    const { topics, metrics } = this.ctx;
    const partition = batch.partition;
    if (batch.topic !== topics.log || batch.messages.length === 0) return;
    const lease = await this.registry.lease('log', partition);
    // Offsets below the committed one were processed by the previous owner just before the
    // take-over (the fetch position was read before its last commit landed).
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= lease.nextOffset);
    if (messages.length === 0) return resolveOffset(batch.lastOffset());
    if (!isRunning() || isStale()) return;
    // Records of a recreated topic: nothing is processed, the runtime starts over on the new log.
    if (!(await this.registry.confirmLog())) return;

    const beats = startHeartbeats(heartbeat, this.ctx.heartbeatMs);
    const changes = new BatchChanges();
    const attempts: RunningAttempt[] = [];
    try {
      const changed = new Map<string, CommunicationState>();
      const cancelled: LogEvent[] = [];
      for (const message of messages) {
        const decoded = decodeEvent(message.value, 'stored');
        if (!decoded.ok) {
          metrics.undecodable.inc({ role: 'log' });
          this.log.warn(`skipped log record ${partition}/${message.offset}: ${decoded.rejection.code}`);
          continue;
        }
        const event = decoded.event;
        const before = this.registry.stateOf(partition, event.communicationId);
        const after = evolve(before, event, BigInt(message.offset));
        if (after !== before) {
          this.registry.setState(changes, partition, after);
          changed.set(after.communicationId, after);
        }
        if (endsHolds(event)) this.registry.clearFailing(changes, event.communicationId);
        for (const planned of callbacksDue(event, after)) {
          if (planned.action === 'attempt') {
            // Requests start right away, in log order; the gate bounds how many run at once.
            attempts.push(this.attempt(partition, after, planned.due, changes));
          } else if (planned.action === 'cancel') {
            metrics.cancelled.inc();
            cancelled.push(
              cancelledEvent(after.communicationId, planned.ref, planned.attempts, planned.reason, stamp()),
            );
          } else {
            metrics.undecodable.inc({ role: 'log' });
            this.log.warn(`skipped log record ${partition}/${message.offset}: ${planned.message}`);
          }
        }
      }
      const collected = await this.handOff.collect(partition, attempts);
      const nextOffset = BigInt(messages[messages.length - 1].offset) + 1n;
      await commitBatch(this.ctx, this.registry, this.handOff, {
        role: 'log',
        partition,
        producer: lease.producer,
        nextOffset,
        parts: [{ changes, collected }],
        output: { events: cancelled, states: [...changed.values()] },
      });
      this.registry.advance('log', partition, nextOffset);
      resolveOffset(messages[messages.length - 1].offset);
    } catch (e) {
      // Memory goes back to what was committed, then the partition is taken over again (which
      // reloads the state topic, in case the transaction did commit after all). The attempts are
      // kept: the redo records them instead of sending them again.
      undoBatch(this.handOff, partition, [{ changes, running: attempts }]);
      await this.registry.release('log', partition, lease.producer);
      throw e;
    } finally {
      beats.stop();
    }
  }

  private attempt(
    partition: number,
    state: CommunicationState,
    due: DueCallback,
    changes: BatchChanges,
  ): RunningAttempt {
    return startAttempt(this.registry, this.runner, this.handOff, partition, changes, due.callback, {
      communicationId: state.communicationId,
      callbackId: due.callbackId,
      callbackConfigId: due.callback.id,
      attempt: due.attempt,
      epoch: state.epoch,
      final: due.final,
      trigger: due.trigger,
      config: state.config!,
    });
  }
}
