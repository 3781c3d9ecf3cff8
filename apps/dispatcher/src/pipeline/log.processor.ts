import { Logger } from '@nestjs/common';
import type { EachBatchPayload } from 'kafkajs';
import { decodeEvent } from '@app/contracts';
import { callbacksDue } from '../domain/callbacks-due';
import { evolve, type CommunicationState } from '../domain/communication-state';
import type { DispatcherMetrics } from '../observability/dispatcher.metrics';
import type { AttemptHandOff, Collected, RunningAttempt } from './attempt.hand-off';
import type { CallbackAttemptRunner } from './callback-attempt.runner';
import { startHeartbeats } from './heartbeat.loop';
import { logChangedError } from './log-changed.error';
import type { PartitionRegistry } from './partition.registry';
import { commitTransaction, type OutputTopics } from './transaction.writer';

/**
 * One batch of one log partition: fold every event into the communications' state, make the first
 * attempt of every callback it triggers (concurrently, through the gate), wait for them at most
 * BATCH_WAIT_MS, then append the results, the retry schedule (with an in-flight record for each
 * attempt still running, decision 0335) and the changed states with the consumed offset in one
 * transaction.
 *
 * The service's own events (CallbackAttempted, CallbackFailed, ...) only change state; they never
 * trigger callbacks. An event that cannot be decoded is counted, logged and skipped.
 */
export class LogProcessor {
  private readonly log = new Logger('LogProcessor');

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
    if (batch.topic !== this.topics.log || batch.messages.length === 0) return;
    const lease = await this.registry.lease('log', partition);
    // Offsets below the committed one were processed by the previous owner just before the
    // take-over (the fetch position was read before its last commit landed).
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= lease.nextOffset);
    if (messages.length === 0) return resolveOffset(batch.lastOffset());
    if (!isRunning() || isStale()) return;
    // Records of a recreated topic: nothing is processed, the runtime starts over on the new log.
    if (!(await this.registry.confirmLog())) return;

    const beats = startHeartbeats(heartbeat, this.heartbeatMs);
    let collected: Collected | undefined;
    try {
      const changed = new Map<string, CommunicationState>();
      const attempts: RunningAttempt[] = [];
      for (const message of messages) {
        const decoded = decodeEvent(message.value, 'stored');
        if (!decoded.ok) {
          this.metrics.undecodable.inc({ role: 'log' });
          this.log.warn(`skipped log record ${partition}/${message.offset}: ${decoded.rejection.code}`);
          continue;
        }
        const event = decoded.event;
        const before = this.registry.stateOf(partition, event.communicationId);
        const after = evolve(before, event, BigInt(message.offset));
        if (after !== before) {
          this.registry.setState(partition, after);
          changed.set(after.communicationId, after);
        }
        if (event.type === 'CallbackFailed') this.registry.clearFailing(event.communicationId);
        for (const due of callbacksDue(event, after)) {
          // Requests start right away, in log order; the gate bounds how many run at once.
          const attempt = this.runner.run({
            ...due,
            config: after.config!,
            attempt: 1,
            epoch: after.epoch,
            stillActive: () => this.registry.isActive(partition, after.communicationId, after.epoch),
          });
          attempts.push({
            started: {
              communicationId: after.communicationId,
              callbackId: due.callbackId,
              callbackConfigId: due.callback.id,
              attempt: 1,
              epoch: after.epoch,
              trigger: due.trigger,
              config: after.config!,
            },
            // A failed callback stops the communication's callbacks that have not left yet.
            output: attempt.then(
              (o) => (o.failed && this.registry.markFailing(partition, after.communicationId), o),
            ),
            held: false,
          });
        }
      }
      collected = await this.handOff.collect(partition, attempts);
      const outputs = collected.outputs;
      const nextOffset = BigInt(messages[messages.length - 1].offset) + 1n;
      // Again right before the commit: the attempts may have run for seconds.
      if (!(await this.registry.confirmLog())) throw logChangedError();
      await commitTransaction(
        lease.producer,
        this.topics,
        { groupId: this.groupId, topic: batch.topic, partition, nextOffset },
        {
          events: outputs.flatMap((o) => o.events),
          retries: [...outputs.flatMap((o) => (o.retry ? [o.retry] : [])), ...collected.handedOff],
          states: [...changed.values()],
        },
        this.registry.marker,
      );
      this.handOff.committed(collected);
      this.metrics.handedOff.inc({ role: 'log' }, collected.handedOff.length);
      this.registry.advance('log', partition, nextOffset);
      resolveOffset(messages[messages.length - 1].offset);
      this.metrics.batches.inc({ role: 'log' });
    } catch (e) {
      if (collected) this.handOff.aborted(collected);
      // State in memory may be ahead of what was committed: take the partition over again.
      await this.registry.release('log', partition);
      throw e;
    } finally {
      beats.stop();
    }
  }
}
