import { Logger } from '@nestjs/common';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { mayLeave } from '@app/contracts';
import {
  describeLog,
  logMarker,
  sameLog,
  TransactionalProducers,
  type LogIdentity,
  type LogIdentityReader,
  within,
} from '@app/platform';
import { initialState, type CommunicationState } from '../domain/communication.state';
import type { BatchChanges } from './batch.changes';
import type { MemberRole } from './co-partition.assigner';
import { readStateTopic } from './state-topic.reader';

/**
 * Longest a take-over may take: the producer's initialisation (itself bounded by 30 s), the state
 * topic's read and the committed and end offsets. A lease that never settled held every batch of
 * its partition for good (decision 0685); past this one it fails and the next try starts afresh.
 */
const TAKE_OVER_WITHIN_MS = 60_000;

export interface RegistryTopics {
  log: string;
  retry: string;
  state: string;
}

/** The log this registry's state belongs to, and how to notice that the topic became another log. */
export interface RegistryLog {
  identity: LogIdentity;
  reader: LogIdentityReader;
  /** Called (once) when the topic is found to be another log: the pipeline must start over. */
  onChanged: (found: LogIdentity) => void;
  /** Counts state records of another log, ignored when loading. */
  onForeignStates: (count: number) => void;
}

/** What a processor needs to work on one input partition. */
export interface PartitionLease {
  /** Transactional producer of this (role, partition); its id fences any previous owner. */
  producer: Producer;
  /** First offset not yet processed, as committed by whoever owned the partition before. */
  nextOffset: bigint;
  /**
   * The input partition's end once the previous owner was fenced: everything it committed lies
   * below. The retry schedule fires nothing before it has read this far (decision 0620).
   */
  endOffset: bigint;
}

/**
 * Everything this process holds per owned partition: transactional producers, the committed
 * position, the communications' state, and failures not yet read back from the log.
 *
 * Taking a partition over is: connect the transactional producer (which fences the previous owner
 * and resolves its open transaction), THEN read the committed offset and the state topic. Both are
 * final at that point, so a batch the previous owner committed at the last moment is never redone.
 *
 * A batch changes states and failure marks only through its `BatchChanges`, so that a batch whose
 * transaction does not commit leaves nothing behind (decision 0621).
 */
export class PartitionRegistry {
  private readonly log = new Logger('PartitionRegistry');
  private readonly producers: TransactionalProducers;
  private readonly leases = new Map<string, Promise<PartitionLease>>();
  private readonly states = new Map<number, Map<string, CommunicationState>>();
  private readonly stateLoads = new Map<number, Promise<void>>();
  /**
   * Communications with a failure decided by this process and not read back from the log yet: per
   * communication, one mark per failed attempt (`attemptKey`) with its partition.
   */
  private readonly failing = new Map<string, Map<string, number>>();
  private loadQueue: { partitions: Set<number>; run: Promise<void> } | null = null;
  private changed = false;
  /** The marker written on, and expected from, retry and state records (decision 0643). */
  readonly marker: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly topics: RegistryTopics,
    private readonly groupId: string,
    private readonly source: RegistryLog,
  ) {
    this.marker = logMarker(source.identity);
    this.producers = new TransactionalProducers(kafka);
  }

  /**
   * True while the log topic is still the log this registry started on. Asked before every batch:
   * kafkajs carries on at its old position when a topic is recreated under a running consumer, so
   * without it the first records of the new log would be skipped. False also tells the runtime.
   */
  async confirmLog(): Promise<boolean> {
    if (this.changed) return false;
    const found = await this.source.reader.read(this.topics.log);
    if (sameLog(found, this.source.identity)) return true;
    if (!this.changed) {
      this.changed = true;
      this.source.onChanged(found);
    }
    return false;
  }

  /** A retry or state record's marker header: absent (written before markers) or this log's. */
  isOwnRecord(marker: string | undefined): boolean {
    return marker === undefined || marker === this.marker;
  }

  /** Prepares (once) the partition for a processor; see the class comment for the order. */
  lease(role: MemberRole, partition: number): Promise<PartitionLease> {
    const key = `${role}.${partition}`;
    let lease = this.leases.get(key);
    if (!lease) {
      lease = within(this.takeOver(role, partition), TAKE_OVER_WITHIN_MS, `taking ${key} over`);
      this.leases.set(key, lease);
      lease.catch(() => this.leases.delete(key));
    }
    return lease;
  }

  /**
   * After a failed batch or a rebalance: the next batch takes the partition over again. With
   * `failed` (the producer the failed work used): nothing happens if a later take-over already
   * replaced it; that one's lease and producer stay (decision 0684).
   */
  async release(role: MemberRole, partition: number, failed?: Producer): Promise<void> {
    const key = `${role}.${partition}`;
    const id = this.transactionalIdOf(role, partition);
    if (failed && !this.producers.holds(id, failed)) {
      await this.producers.drop(id, failed);
      return;
    }
    this.leases.delete(key);
    // The next stateReady() reloads; the old map stays until then, so a retry being judged right
    // now never sees a blank (enabled) state in place of a disabled one.
    if (role === 'log') this.stateLoads.delete(partition);
    await this.producers.drop(id);
  }

  /** After a rebalance: every partition of the role is taken over again before its next batch. */
  async releaseAll(role: MemberRole): Promise<void> {
    const partitions = [...this.leases.keys()]
      .filter((k) => k.startsWith(`${role}.`))
      .map((k) => Number(k.split('.')[1]));
    await Promise.all(partitions.map((p) => this.release(role, p)));
  }

  advance(role: MemberRole, partition: number, nextOffset: bigint): void {
    // Called after a batch that held this lease, so the promise has already resolved.
    void this.leases.get(`${role}.${partition}`)?.then((l) => (l.nextOffset = nextOffset));
  }

  /** The state of one communication of a loaded partition. */
  stateOf(partition: number, communicationId: string): CommunicationState {
    return this.states.get(partition)?.get(communicationId) ?? initialState(communicationId);
  }

  /** Sets a communication's state as part of a batch (undone if the batch rolls back). */
  setState(changes: BatchChanges, partition: number, state: CommunicationState): void {
    const states = this.statesOf(partition);
    const before = states.get(state.communicationId);
    changes.apply(
      () => states.set(state.communicationId, state),
      () => (before ? states.set(state.communicationId, before) : states.delete(state.communicationId)),
    );
  }

  /** Whether a request of the given epoch may leave now (`mayLeave`, the shared rule). */
  isActive(partition: number, communicationId: string, epoch: number): boolean {
    return mayLeave(this.stateOf(partition, communicationId), epoch, this.failing.has(communicationId));
  }

  /**
   * Holds the communication for attempt `key` (its requests that have not left stay put). Only
   * keeps the mark: whether an attempt holds, and what ends the hold, is decided by `failureHolds`
   * and `endsHolds` in the contracts library.
   */
  markFailing(changes: BatchChanges, partition: number, communicationId: string, key: string): void {
    if (this.failing.get(communicationId)?.has(key)) return;
    changes.apply(
      () => this.marksOf(communicationId).set(key, partition),
      () => this.dropMark(communicationId, key),
    );
  }

  /** The failure of attempt `key` was recorded as something else (its communication moved on). */
  unmarkFailing(changes: BatchChanges, communicationId: string, key: string): void {
    const partition = this.failing.get(communicationId)?.get(key);
    if (partition === undefined) return;
    changes.apply(
      () => this.dropMark(communicationId, key),
      () => this.marksOf(communicationId).set(key, partition),
    );
  }

  /** Every hold of the communication ends (`endsHolds`: its CallbackFailed was read back). */
  clearFailing(changes: BatchChanges, communicationId: string): void {
    const marks = this.failing.get(communicationId);
    if (!marks) return;
    changes.apply(
      () => this.failing.delete(communicationId),
      () => this.failing.set(communicationId, marks),
    );
  }

  /** After a rebalance: failures of partitions now owned elsewhere are the new owner's to read back. */
  retainFailing(owned: readonly number[]): void {
    const keep = new Set(owned);
    for (const [communicationId, marks] of this.failing) {
      for (const [key, partition] of marks) if (!keep.has(partition)) marks.delete(key);
      if (marks.size === 0) this.failing.delete(communicationId);
    }
  }

  private statesOf(partition: number): Map<string, CommunicationState> {
    let states = this.states.get(partition);
    if (!states) this.states.set(partition, (states = new Map()));
    return states;
  }

  private marksOf(communicationId: string): Map<string, number> {
    let marks = this.failing.get(communicationId);
    if (!marks) this.failing.set(communicationId, (marks = new Map()));
    return marks;
  }

  private dropMark(communicationId: string, key: string): void {
    const marks = this.failing.get(communicationId);
    marks?.delete(key);
    if (marks?.size === 0) this.failing.delete(communicationId);
  }

  /** Waits until the partition's state is loaded (fencing the log producer of p first). */
  stateReady(partition: number): Promise<void> {
    let load = this.stateLoads.get(partition);
    if (!load) {
      load = within(
        this.producer('log', partition).then(() => this.loadState(partition)),
        TAKE_OVER_WITHIN_MS,
        `loading the states of partition ${partition}`,
      );
      this.stateLoads.set(partition, load);
      load.catch(() => this.stateLoads.delete(partition));
    }
    return load;
  }

  async close(): Promise<void> {
    const closing = this.producers.closeAll();
    this.leases.clear();
    await closing;
  }

  private async takeOver(role: MemberRole, partition: number): Promise<PartitionLease> {
    const producer = await this.producer(role, partition);
    await this.stateReady(partition);
    const topic = role === 'log' ? this.topics.log : this.topics.retry;
    const [committed] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [topic] });
    const offset = BigInt(committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
    // Read after the committed offset: a commit racing with this read is still within the end. After
    // the fencing above, everything the previous owner committed lies below it too (decision 0620).
    const ends = await this.admin.fetchTopicOffsets(topic);
    const end = BigInt(ends.find((p) => p.partition === partition)?.high ?? '0');
    if (offset > end) {
      // The partition lost records it had (e.g. an unclean leader election): new records reuse
      // those offsets and must be processed, not skipped as "already done".
      this.log.warn(
        `${topic}/${partition}: committed offset ${offset} is beyond the end offset ${end} of ` +
          `${describeLog(this.source.identity)}; resuming at ${end}`,
      );
      return { producer, nextOffset: end, endOffset: end };
    }
    const nextOffset = offset < 0n ? 0n : offset;
    return { producer, nextOffset, endOffset: end > nextOffset ? end : nextOffset };
  }

  private producer(role: MemberRole, partition: number): Promise<Producer> {
    return this.producers.get(this.transactionalIdOf(role, partition));
  }

  private transactionalIdOf(role: MemberRole, partition: number): string {
    return `${this.groupId}.${role}.${partition}`;
  }

  /** Partitions asked for within one tick are loaded by one read of the state topic. */
  private loadState(partition: number): Promise<void> {
    if (this.loadQueue) {
      this.loadQueue.partitions.add(partition);
      return this.loadQueue.run;
    }
    const partitions = new Set([partition]);
    const run = (async () => {
      await new Promise((r) => setTimeout(r, 20));
      this.loadQueue = null;
      const started = Date.now();
      const { states: loaded, foreign } = await readStateTopic(
        this.kafka,
        this.topics.state,
        partitions,
        this.marker,
      );
      if (foreign > 0) {
        this.source.onForeignStates(foreign);
        this.log.warn(
          `ignored ${foreign} state records of another log than ${describeLog(this.source.identity)} in ${this.topics.state}`,
        );
      }
      // Failure marks stay: each belongs to a batch that removes it (rollback, or recording the
      // attempt as something else), or is cleared when its CallbackFailed is read back.
      for (const [p, states] of loaded) this.states.set(p, states);
      const count = [...loaded.values()].reduce((n, s) => n + s.size, 0);
      this.log.log(
        `loaded ${count} communication states of partitions ${[...partitions].join(',')} in ${Date.now() - started} ms`,
      );
    })();
    this.loadQueue = { partitions, run };
    return run;
  }
}
