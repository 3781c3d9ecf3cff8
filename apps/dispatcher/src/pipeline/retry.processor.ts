import { Logger } from '@nestjs/common';
import type { EachBatchPayload } from 'kafkajs';
import {
  describeRecord,
  type Failure,
  headerString,
  LOG_MARKER_HEADER,
  parkedRecordOf,
  reportParked,
} from '@app/platform';
import {
  decodeRetryRecord,
  inFlightAttemptOf,
  peekRetryTopicValue,
  type RetryRecord,
  type RetryTopicEntry,
} from '../domain/retry.record';
import { RetrySchedule, type ScheduledRecord } from '../domain/retry.schedule';
import type { AttemptHandOff, Collected, RunningAttempt } from './attempt.hand-off';
import { BatchChanges } from './batch.changes';
import type { CallbackAttemptRunner } from './callback-attempt.runner';
import type { PartitionLease, PartitionRegistry } from './partition.registry';
import { retriableError } from './retriable.error';
import type { RetryParking } from './retry.parking';
import { commitBatch, startAttempt, undoBatch, type ProcessorContext } from './processor.context';

/** Retries started and committed together at most (bounds a transaction's size). */
const MAX_CHUNK = 500;
/** Pause between two tries to take a partition over again after a failed transaction. */
const REBUILD_PAUSE_MS = 1000;
/**
 * How long a confirmation of the log's identity stands for firing chunks (every commit confirms it
 * again): one Metadata request per this period instead of one per due time.
 */
const CONFIRM_FOR_FIRING_MS = 250;
/** How often a stopping process looks for handed-off attempts it can record (see drain). */
const DRAIN_POLL_MS = 100;

export interface RetryProcessorOptions {
  /** Bytes of retry records the process keeps in its schedules before it stops reading more. */
  maxBufferedBytes: number;
  /** Points the retry consumer at an offset of a partition (`consumer.seek`). */
  seek: (partition: number, offset: bigint) => void;
  /** Sets aside records that can never fire or never commit (decision 0603). */
  parking: RetryParking;
}

/** A chunk whose attempts are done (or handed off), waiting to be recorded. */
interface Finished {
  entries: ScheduledRecord[];
  running: RunningAttempt[];
  collected: Collected;
  changes: BatchChanges;
  settled: () => void;
  /** Records of the chunk set aside instead of attempted (undecodable, or failing alone). */
  parked: { entry: ScheduledRecord; failure: Failure }[];
  /** A record tried alone after its groups kept failing: committed in a transaction of its own. */
  alone: boolean;
}

/** One owned retry partition: its schedule and the lease its transactions use. */
interface Slot {
  partition: number;
  assignment: number;
  schedule: RetrySchedule;
  lease: PartitionLease;
  timer?: NodeJS.Timeout;
  /** Chunks waiting for the partition's next transaction (one producer: one transaction at a time). */
  finished: Finished[];
  recording: boolean;
  closed: boolean;
  /** The read position the consumer was last pointed back at after a batch past it (see gapIsFinal). */
  soughtTo?: bigint;
}

/**
 * The retry topic, read without ever waiting on its head (decision 0620). The consumer files every
 * record into the partition's `RetrySchedule` as soon as it is read and moves on; a timer fires
 * records when they come due, whatever order they were written in (a 121 s hand-off behind
 * 300 s retries, a receiver's long Retry-After ahead of short delays).
 *
 * Records due together are started at once (a chunk) and waited for at most BATCH_WAIT_MS (the
 * rest is handed off, decision 0335). Chunks of one partition run concurrently; the partition's
 * transactions take turns, and each records every chunk that finished meanwhile (group commit),
 * with a done marker naming their records and the partition's lowest unsettled offset as the
 * committed offset: under load there is one transaction in flight per partition, not one per due
 * time. A failed transaction undoes its chunks' in-memory changes and rebuilds the partition from
 * the committed offset (the done markers make the rebuild exact, also when it committed after all).
 *
 * An in-flight record stands for an attempt already sent: when this process still holds it, its
 * result is recorded without sending again; otherwise it is sent again (same idempotency key).
 */
export class RetryProcessor {
  private readonly log = new Logger('RetryProcessor');
  private readonly slots = new Map<number, Slot>();
  private readonly opening = new Map<number, Promise<Slot>>();
  private readonly chunks = new Set<Promise<void>>();
  private assignment = 0;
  private stopping = false;
  private confirmed: { at: number; run?: Promise<boolean> } = { at: 0 };
  private fullSince = 0;

  constructor(
    private readonly ctx: ProcessorContext,
    private readonly registry: PartitionRegistry,
    private readonly runner: CallbackAttemptRunner,
    private readonly handOff: AttemptHandOff,
    private readonly options: RetryProcessorOptions,
  ) {}

  /** eachBatch of the retry consumer: file the records, arm the timer, return. */
  async handle({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    if (batch.topic !== this.ctx.topics.retry || batch.messages.length === 0) return;
    const slot = await this.slotOf(batch.partition);
    const current = () => isRunning() && !isStale() && !slot.closed;
    // Bounded memory: past the budget, reading waits for records to fire (decision 0620).
    while (current() && this.full) {
      if (Date.now() - this.fullSince > 60_000) {
        this.fullSince = Date.now();
        this.log.warn(
          `retry schedules hold ${this.bufferedBytes()} bytes; reading more waits for records to fire`,
        );
      }
      this.ctx.metrics.retryReadPaused.inc();
      await new Promise((r) => setTimeout(r, Math.min(1000, this.ctx.heartbeatMs)));
      await heartbeat();
    }
    if (!current()) return;
    const first = BigInt(batch.firstOffset() ?? batch.messages[0].offset);
    if (!slot.schedule.continues(first) && !this.gapIsFinal(slot, first)) return;
    for (const m of batch.messages) {
      const entry = this.entryOf(batch.partition, m.offset, m.headers, m.value);
      // An unreadable record fires at once and is parked (decision 0603), never dropped.
      if (slot.schedule.file(BigInt(m.offset), entry, m.value, m.key) && entry.kind === 'unreadable') {
        this.ctx.metrics.undecodable.inc({ role: 'retry' });
      }
    }
    slot.schedule.passed(BigInt(batch.lastOffset()) + 1n);
    resolveOffset(batch.lastOffset());
    this.ctx.metrics.retryScheduled.set(this.scheduledCount());
    this.arm(slot);
  }

  /**
   * What a record of the retry topic is to this dispatcher. A record or done marker of another log
   * (a retry topic shared by two deployments, or one that outlived its log; decision 0643) is
   * filed as nothing: it never fires here and takes no room.
   */
  private entryOf(
    partition: number,
    offset: string,
    headers: Parameters<typeof headerString>[0],
    value: Buffer | null,
  ): RetryTopicEntry {
    const marker = headerString(headers, LOG_MARKER_HEADER);
    if (this.registry.isOwnRecord(marker)) return peekRetryTopicValue(value);
    this.ctx.metrics.foreign.inc({ role: 'retry' });
    this.log.warn(`skipped retry record ${partition}/${offset}: scheduled for another log (${marker})`);
    return { kind: 'foreign' };
  }

  /**
   * A batch that starts past the schedule's read position was fetched for an earlier schedule of
   * the partition, before the take-over's seek took effect: the consumer is pointed back at the
   * position and the batch is left unfiled. Only when a batch fetched after that seek still starts
   * past the position are the records between gone from the broker (retention): the gap is taken
   * then, and said.
   */
  private gapIsFinal(slot: Slot, first: bigint): boolean {
    const position = slot.schedule.readPosition;
    if (slot.soughtTo !== position) {
      slot.soughtTo = position;
      this.options.seek(slot.partition, position);
      return false;
    }
    this.log.warn(
      `retry partition ${slot.partition}: offsets ${position} to ${first - 1n} are no longer on the broker; reading on from ${first}`,
    );
    return true;
  }

  /**
   * A fetch that held only transaction markers moved the partition's read position — unless it was
   * fetched for an earlier schedule of the partition (see gapIsFinal): a later fetch passes them again.
   */
  passed(partition: number, firstOffset: string | null, lastOffset: string): void {
    const slot = this.slots.get(partition);
    if (!slot) return;
    if (firstOffset !== null && !slot.schedule.continues(BigInt(firstOffset))) return;
    slot.schedule.passed(BigInt(lastOffset) + 1n);
    this.arm(slot);
  }

  /** The group's assignment changed: every partition is taken over again at its next batch. */
  reassigned(): void {
    this.assignment += 1;
    for (const slot of this.slots.values()) {
      this.close(slot);
      this.options.parking.forget(slot.partition);
    }
    this.slots.clear();
    this.opening.clear();
  }

  /** Stops firing; chunks already running finish and commit. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    await Promise.allSettled([...this.chunks]);
    for (const slot of this.slots.values()) this.close(slot);
  }

  /** The log's identity, confirmed at most CONFIRM_FOR_FIRING_MS ago (one request at a time). */
  private confirmedRecently(): Promise<boolean> {
    if (Date.now() - this.confirmed.at < CONFIRM_FOR_FIRING_MS) return Promise.resolve(true);
    this.confirmed.run ??= this.registry
      .confirmLog()
      .then((ok) => {
        if (ok) this.confirmed.at = Date.now();
        return ok;
      })
      .finally(() => (this.confirmed.run = undefined));
    return this.confirmed.run;
  }

  private scheduledCount(): number {
    let n = 0;
    for (const slot of this.slots.values()) n += slot.schedule.size;
    return n;
  }

  /** Over its memory budget: reading more waits for records to fire (decision 0620). */
  get full(): boolean {
    return this.bufferedBytes() > this.options.maxBufferedBytes;
  }

  private bufferedBytes(): number {
    let n = 0;
    for (const slot of this.slots.values()) n += slot.schedule.bytes;
    return n;
  }

  /** Takes an assigned partition over before its first batch (see the runtime's GROUP_JOIN). */
  async open(partition: number): Promise<void> {
    await this.slotOf(partition);
  }

  private slotOf(partition: number): Promise<Slot> {
    const slot = this.slots.get(partition);
    if (slot) return Promise.resolve(slot);
    let opening = this.opening.get(partition);
    if (!opening) {
      opening = this.openSlot(partition);
      this.opening.set(partition, opening);
      const done = () => this.opening.get(partition) === opening && this.opening.delete(partition);
      opening.then(done, done);
    }
    return opening;
  }

  /** Takes the partition over (fencing the previous owner) and starts an empty schedule. */
  private async openSlot(partition: number): Promise<Slot> {
    const assignment = this.assignment;
    const lease = await this.registry.lease('retry', partition);
    const slot: Slot = {
      partition,
      assignment,
      schedule: new RetrySchedule(lease.nextOffset, lease.endOffset),
      lease,
      finished: [],
      recording: false,
      closed: assignment !== this.assignment || this.stopping,
    };
    if (!slot.closed) this.slots.set(partition, slot);
    return slot;
  }

  private close(slot: Slot): void {
    slot.closed = true;
    clearTimeout(slot.timer);
    slot.timer = undefined;
  }

  /** Sets the timer for the earliest waiting record (only once the partition was read to its end). */
  private arm(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    if (slot.closed || this.stopping || !slot.schedule.caughtUp) return;
    const due = slot.schedule.nextDueAt();
    if (due === null) return;
    slot.timer = setTimeout(() => this.fire(slot), Math.max(0, due - Date.now()));
    slot.timer.unref();
  }

  private fire(slot: Slot): void {
    slot.timer = undefined;
    if (slot.closed || this.stopping) return;
    for (;;) {
      const due = slot.schedule.takeDue(Date.now(), MAX_CHUNK);
      if (due.length === 0) break;
      // A record whose groups kept failing deterministically is tried alone (decision 0603).
      const alone = due.filter((e) => this.options.parking.alone(slot.partition, e.offset));
      const together = due.filter((e) => !alone.includes(e));
      const runs = [
        ...(together.length > 0 ? [this.runChunk(slot, together, false)] : []),
        ...alone.map((e) => this.runChunk(slot, [e], true)),
      ];
      for (const chunk of runs) this.track(chunk);
    }
    this.arm(slot);
  }

  private track(chunk: Promise<void>): void {
    this.chunks.add(chunk);
    void chunk.finally(() => this.chunks.delete(chunk));
  }

  /**
   * Before the process leaves the group (decision 0683): the attempts it handed off are recorded as
   * soon as their requests end, without waiting for their in-flight records to come due; the next
   * owner would not hold them and would send them again. Due records keep firing meanwhile.
   * Returns how many attempts are still held at `deadline` (or when none is left), once the chunks
   * started here have finished.
   */
  async drain(deadline: number): Promise<number> {
    while (this.handOff.handedOff > 0 && Date.now() < deadline && !this.stopping) {
      for (const slot of this.slots.values()) {
        if (slot.closed) continue;
        const ready = slot.schedule.takeWhere((r) => this.recordableNow(r.value), MAX_CHUNK);
        if (ready.length > 0) this.track(this.runChunk(slot, ready, false));
      }
      await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
    }
    await Promise.allSettled([...this.chunks]);
    return this.handOff.handedOff;
  }

  /** An in-flight record whose attempt this process holds and whose request has ended. */
  private recordableNow(value: Buffer): boolean {
    const held = inFlightAttemptOf(value);
    return held !== null && this.handOff.finished(held.callbackId, held.attempt);
  }

  /** Starts a chunk's attempts, waits for them (bounded), then queues it for recording. */
  private async runChunk(slot: Slot, entries: ScheduledRecord[], alone: boolean): Promise<void> {
    const { metrics } = this.ctx;
    const partition = slot.partition;
    const changes = new BatchChanges();
    const running: RunningAttempt[] = [];
    const parked: Finished['parked'] = [];
    let collected: Collected;
    try {
      // Attempts of a recreated log's callbacks would append their events to the new log: the
      // runtime starts over on it instead (decision 0643).
      if (!(await this.confirmedRecently())) return;
      await this.registry.stateReady(partition);
      const firedAt = Date.now();
      for (const entry of entries) {
        const failure = this.options.parking.parkNow(partition, entry.offset);
        if (failure) {
          parked.push({ entry, failure });
          continue;
        }
        const decoded = decodeRetryRecord(entry.value);
        if (!decoded.ok) {
          // It can never be attempted: parked, not dropped.
          const reason = { class: 'deterministic' as const, code: 'undecodable', message: decoded.message };
          parked.push({ entry, failure: { ...reason, attempts: 0 } });
          continue;
        }
        metrics.retryLateness.observe(Math.max(0, firedAt - entry.dueAt) / 1000);
        running.push(this.start(partition, decoded.record, changes));
      }
      collected = await this.handOff.collect(partition, running);
    } catch (e) {
      undoBatch(this.handOff, partition, [{ changes, running }]);
      if (!slot.closed) {
        this.log.warn(`retry chunk of partition ${partition} failed, taking it over again: ${String(e)}`);
        await this.rebuild(slot);
      }
      return;
    }
    await new Promise<void>((settled) => {
      slot.finished.push({ entries, running, collected, changes, settled, parked, alone });
      void this.record(slot);
    });
  }

  /** Records the finished chunks of a partition, all that are ready in one transaction, in turn. */
  private async record(slot: Slot): Promise<void> {
    if (slot.recording) return;
    slot.recording = true;
    try {
      while (slot.finished.length > 0) {
        const group = slot.finished.splice(0);
        // A record tried alone commits alone: its failure then says nothing about the others.
        const together = group.filter((g) => !g.alone);
        if (together.length > 0) await this.commitGroup(slot, together);
        for (const g of group) if (g.alone) await this.commitGroup(slot, [g]);
      }
    } finally {
      slot.recording = false;
    }
  }

  private async commitGroup(slot: Slot, group: Finished[]): Promise<void> {
    const { metrics, topics } = this.ctx;
    const partition = slot.partition;
    const entries = group.flatMap((g) => g.entries);
    try {
      if (slot.closed) throw retriableError(`retry partition ${partition} was taken over again meanwhile`);
      const parked = group.flatMap((g) => g.parked);
      await commitBatch(this.ctx, this.registry, this.handOff, {
        role: 'retry',
        partition,
        producer: slot.lease.producer,
        nextOffset: slot.schedule.commitOffset(entries),
        parts: group,
        output: {
          events: [],
          states: [],
          done: entries.map((e) => e.offset),
          parked: parked.map(({ entry, failure }) => this.parkedCopy(partition, entry, failure)),
        },
        afterCommit: () => {
          slot.schedule.settled(entries);
          this.options.parking.settled(
            partition,
            entries.map((e) => e.offset),
          );
          for (const { entry, failure } of parked) {
            const where = describeRecord(topics.retry, partition, {
              offset: String(entry.offset),
              value: entry.value,
            });
            reportParked('dispatcher-retry', where, failure);
          }
        },
      });
      metrics.retryScheduled.set(this.scheduledCount());
    } catch (e) {
      // Counted against its records when deterministic: they are tried alone, then parked.
      await this.options.parking.failed(
        partition,
        entries.map((r) => r.offset),
        e,
      );
      // Kept: when the records fire again after the rebuild, these results are recorded
      // instead of sending the requests a second time.
      undoBatch(this.handOff, partition, group);
      if (!slot.closed) {
        this.log.warn(
          `retry transaction of partition ${partition} failed, taking it over again: ${String(e)}`,
        );
        await this.rebuild(slot);
      }
    } finally {
      for (const g of group) g.settled();
    }
  }

  /** The parked copy of a retry record: its key and value as scheduled (headers are not kept). */
  private parkedCopy(partition: number, entry: ScheduledRecord, failure: Failure) {
    const source = {
      topic: this.ctx.topics.retry,
      partition,
      offset: String(entry.offset),
      key: entry.key ?? null,
      value: entry.value,
    };
    return parkedRecordOf(source, 'dispatcher-retry', failure, new Date());
  }

  /** The attempt this process already made for the record (handed off or kept), or a new request. */
  private start(partition: number, record: RetryRecord, changes: BatchChanges): RunningAttempt {
    const started = {
      communicationId: record.communicationId,
      callbackId: record.callbackId,
      callbackConfigId: record.callbackConfigId,
      attempt: record.attempt,
      epoch: record.epoch,
      final: record.final === true,
      trigger: record.trigger,
      config: record.config,
    };
    const callback = record.config.callbacks.find((c) => c.id === record.callbackConfigId)!;
    return startAttempt(this.registry, this.runner, this.handOff, partition, changes, callback, started);
  }

  /**
   * After a failed transaction nothing in memory can be trusted to match what was committed: drop
   * the schedule, fence and take the partition over again, and read it again from the committed
   * offset. Done markers make the result exact whether the transaction committed or not.
   */
  private async rebuild(slot: Slot): Promise<void> {
    const partition = slot.partition;
    this.close(slot);
    if (this.slots.get(partition) === slot) this.slots.delete(partition);
    while (!this.stopping && slot.assignment === this.assignment) {
      try {
        await this.registry.release('retry', partition, slot.lease.producer);
        // Through slotOf, never a second openSlot: a batch of the partition may have opened the
        // fresh slot meanwhile, and two slots of one partition would each fire the same records
        // and commit them on the one producer (attempts recorded twice, decision 0683).
        const fresh = await this.slotOf(partition);
        if (fresh.closed) return;
        this.options.seek(partition, fresh.lease.nextOffset);
        return;
      } catch (e) {
        this.log.warn(`taking retry partition ${partition} over again failed: ${String(e)}`);
        await new Promise((r) => setTimeout(r, REBUILD_PAUSE_MS));
      }
    }
  }
}
