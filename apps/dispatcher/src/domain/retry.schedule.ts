import type { RetryTopicEntry } from './retry.record';

/** A retry record waiting for its time, as the schedule keeps it. */
export interface ScheduledRecord {
  offset: bigint;
  dueAt: number;
  /** The record's bytes, decoded in full only when it fires (keeps memory near the topic's size). */
  value: Buffer;
  /** The record's key (the communication id), kept for the copy of a record that is parked. */
  key?: Buffer | null;
}

/**
 * The retry schedule of ONE retry partition (decision 0620): every record read from the partition
 * and not settled yet, fired by due time, whatever order the records were written in. Pure: Kafka,
 * timers and transactions are the caller's.
 *
 * - Records are filed as they are read (`file`); a done marker read later removes the records it
 *   names, so reading the partition again from the committed offset rebuilds exactly the records
 *   still to fire.
 * - Nothing may fire before the partition has been read up to `catchUpTo` (its end when it was
 *   taken over): a record's done marker always comes after it, and a marker of the previous
 *   owner's last transaction must be seen before its records could fire twice.
 * - `takeDue` hands out due records (earliest first); `commitOffset` is the offset a transaction
 *   may commit: the lowest record not settled yet, which stays readable after a crash.
 */
export class RetrySchedule {
  private readonly waiting = new Map<bigint, ScheduledRecord>();
  private readonly firing = new Map<bigint, ScheduledRecord>();
  /** Binary heap by (dueAt, offset) over waiting records; entries no longer waiting are skipped. */
  private readonly heap: ScheduledRecord[] = [];
  /** Offsets filed, in read order (increasing); entries no longer kept are dropped from the front. */
  private readonly order: bigint[] = [];
  private orderHead = 0;
  private position: bigint;
  private keptBytes = 0;

  constructor(
    start: bigint,
    private readonly catchUpTo: bigint,
  ) {
    this.position = start;
  }

  /** Next offset to read. */
  get readPosition(): bigint {
    return this.position;
  }

  /** True once every record written before the take-over has been read. */
  get caughtUp(): boolean {
    return this.position >= this.catchUpTo;
  }

  /** Records kept (waiting or firing). */
  get size(): number {
    return this.waiting.size + this.firing.size;
  }

  /** Bytes of the records kept. */
  get bytes(): number {
    return this.keptBytes;
  }

  /**
   * Files what was read at `offset`. Returns false for an offset already read (a fetch repeated
   * after a retry of kafkajs), which changes nothing.
   */
  file(offset: bigint, entry: RetryTopicEntry, value: Buffer | null, key: Buffer | null = null): boolean {
    if (offset < this.position) return false;
    this.position = offset + 1n;
    if (entry.kind === 'done') {
      for (const o of entry.offsets) this.forget(this.waiting, o);
    } else if ((entry.kind === 'record' || entry.kind === 'unreadable') && value) {
      // An unreadable record fires at once: the processor parks it (decision 0603), so it is kept
      // (and holds the committed offset) until that is committed, never skipped unseen.
      const dueAt = entry.kind === 'record' ? entry.dueAt : 0;
      const record: ScheduledRecord = { offset, dueAt, value, key };
      this.waiting.set(offset, record);
      this.order.push(offset);
      this.keptBytes += value.length + (key?.length ?? 0);
      this.push(record);
    }
    return true;
  }

  /**
   * Whether what was read from offset `first` on continues what this schedule has read. A fetch
   * made for an earlier schedule of the partition (before a take-over's seek took effect) can start
   * past this one's position: filing it would move the position over records never read here, and
   * they would never fire.
   */
  continues(first: bigint): boolean {
    return first <= this.position;
  }

  /** The partition was read up to `next` (records filtered by Kafka, such as commit markers, included). */
  passed(next: bigint): void {
    if (next > this.position) this.position = next;
  }

  /** When the earliest waiting record is due; null when none waits. */
  nextDueAt(): number | null {
    return this.peek()?.dueAt ?? null;
  }

  /** Moves up to `max` records due at `now` (earliest first) from waiting to firing. */
  takeDue(now: number, max: number): ScheduledRecord[] {
    const out: ScheduledRecord[] = [];
    if (!this.caughtUp) return out;
    while (out.length < max) {
      const head = this.peek();
      if (!head || head.dueAt > now) break;
      this.pop();
      this.waiting.delete(head.offset);
      this.firing.set(head.offset, head);
      out.push(head);
    }
    return out;
  }

  /**
   * Moves up to `max` waiting records that `pick` chooses from waiting to firing, due or not
   * (earliest offset first): a stopping dispatcher records the attempts it holds before leaving.
   */
  takeWhere(pick: (record: ScheduledRecord) => boolean, max: number): ScheduledRecord[] {
    const out: ScheduledRecord[] = [];
    if (!this.caughtUp) return out;
    for (const record of [...this.waiting.values()].sort((a, b) => (a.offset < b.offset ? -1 : 1))) {
      if (out.length >= max) break;
      if (!pick(record)) continue;
      this.waiting.delete(record.offset);
      this.firing.set(record.offset, record);
      out.push(record);
    }
    return out;
  }

  /**
   * The offset a transaction settling `settling` commits: the lowest record that stays unsettled
   * once it commits, or the read position when none does.
   */
  commitOffset(settling: readonly ScheduledRecord[]): bigint {
    const leaving = new Set(settling.map((r) => r.offset));
    while (this.orderHead < this.order.length && !this.kept(this.order[this.orderHead])) this.orderHead += 1;
    if (this.orderHead > 1024 && this.orderHead * 2 > this.order.length) {
      this.order.splice(0, this.orderHead);
      this.orderHead = 0;
    }
    for (let i = this.orderHead; i < this.order.length; i += 1) {
      const o = this.order[i];
      if (this.kept(o) && !leaving.has(o)) return o;
    }
    return this.position;
  }

  /** Their transaction committed: the records are done. */
  settled(records: readonly ScheduledRecord[]): void {
    for (const r of records) this.forget(this.firing, r.offset);
  }

  private kept(offset: bigint): boolean {
    return this.waiting.has(offset) || this.firing.has(offset);
  }

  private forget(from: Map<bigint, ScheduledRecord>, offset: bigint): void {
    const r = from.get(offset);
    if (!r) return;
    from.delete(offset);
    this.keptBytes -= r.value.length + (r.key?.length ?? 0);
  }

  private before(a: ScheduledRecord, b: ScheduledRecord): boolean {
    return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.offset < b.offset);
  }

  private peek(): ScheduledRecord | undefined {
    while (this.heap.length > 0 && this.waiting.get(this.heap[0].offset) !== this.heap[0]) this.pop();
    return this.heap[0];
  }

  private push(r: ScheduledRecord): void {
    const h = this.heap;
    h.push(r);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.before(h[l], h[m])) m = l;
      if (r < h.length && this.before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
