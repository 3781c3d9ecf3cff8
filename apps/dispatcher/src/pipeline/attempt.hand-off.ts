import type { AttemptReport } from '../domain/attempt.outcome';
import { attemptKey, inFlightRecord, type RetryRecord, type StartedAttempt } from '../domain/retry.record';
import { settleWithin } from './settle.within';

/** An attempt a batch started (or took over from the in-flight map) and must record. */
export interface RunningAttempt {
  started: StartedAttempt;
  output: Promise<AttemptReport>;
  /** True when `output` came from the in-flight map (an earlier batch handed it off). */
  held: boolean;
}

/** What a batch writes after its bounded wait, and which map entries it touched. */
export interface Collected {
  /** Reports of the attempts that finished in time: recorded as usual. */
  outputs: AttemptReport[];
  /** One in-flight retry record per attempt still running: written in the same transaction. */
  handedOff: RetryRecord[];
  /** Map entries this batch added (its hand-offs). */
  added: string[];
  /** Attempts recorded by this batch: their entries are dropped once it committed. */
  recorded: string[];
}

/** An attempt of this process not recorded yet, and the partition it belongs to. */
interface Held {
  partition: number;
  output: Promise<AttemptReport>;
  /** Set when kept from a failed transaction (dropped if no redo claims it in time). */
  keptAt?: number;
  /** Its request has ended. */
  settled?: boolean;
}

const keyOf = (s: StartedAttempt) => attemptKey(s.callbackId, s.attempt);

/**
 * Decision 0335: a batch waits at most `budgetMs` for its attempts. Each attempt still running is
 * written as an in-flight retry record (same attempt number, due after the retry delay) and its
 * promise is kept here, keyed by callback and attempt, so that the retry processor records its
 * result instead of sending again. The map belongs to this process: after a crash or a partition
 * move the entry is missing and the new owner sends the attempt again (same idempotency key).
 *
 * Bounded: when the map is full a batch waits for its attempts as it did before the hand-off.
 */
export class AttemptHandOff {
  private readonly inFlight = new Map<string, Held>();

  constructor(
    private readonly budgetMs: number,
    private readonly delayMs: number,
    private readonly maxInFlight: number,
    /** How long the attempts of a failed transaction are kept for its redo. */
    private readonly keepMs = 15 * 60_000,
  ) {}

  get size(): number {
    return this.inFlight.size;
  }

  /** Full: a batch now waits for its attempts' requests to end (bounded by their timeout). */
  get full(): boolean {
    return this.inFlight.size >= this.maxInFlight;
  }

  /** Attempts handed off and not recorded yet (kept ones of failed transactions aside). */
  get handedOff(): number {
    let n = 0;
    for (const entry of this.inFlight.values()) if (entry.keptAt === undefined) n += 1;
    return n;
  }

  /**
   * The attempt this process started for this callback and attempt number and has not recorded
   * yet: handed off, or kept from a transaction that failed.
   */
  held(callbackId: string, attempt: number): Promise<AttemptReport> | undefined {
    return this.inFlight.get(attemptKey(callbackId, attempt))?.output;
  }

  async collect(partition: number, running: RunningAttempt[]): Promise<Collected> {
    let settled = await settleWithin(
      running.map((r) => r.output),
      this.budgetMs,
    );
    const late = running.filter((_, i) => !settled[i].done);
    const fresh = late.filter((r) => !r.held).length;
    if (fresh > 0 && this.inFlight.size + fresh > this.maxInFlight) {
      // No room to remember more: fall back to waiting, which only slows this instance down.
      const outputs = await Promise.all(running.map((r) => r.output));
      settled = outputs.map((value) => ({ done: true, value }));
    }
    const collected: Collected = { outputs: [], handedOff: [], added: [], recorded: [] };
    const writtenAt = new Date();
    running.forEach((r, i) => {
      const s = settled[i];
      const key = keyOf(r.started);
      if (s.done) {
        collected.outputs.push(s.value);
        collected.recorded.push(key);
        return;
      }
      collected.handedOff.push(inFlightRecord(r.started, writtenAt, this.delayMs));
      if (!r.held) {
        this.remember(key, { partition, output: r.output });
        collected.added.push(key);
        // A bug that rejects must not leave an entry that fails every later batch: drop it, and
        // the record is sent again like one from another process.
        r.output.catch(() => this.inFlight.delete(key));
      }
    });
    return collected;
  }

  /** The batch's transaction committed: what it recorded is on the log now. */
  committed(c: Collected): void {
    for (const key of c.recorded) this.inFlight.delete(key);
  }

  /**
   * The batch's transaction failed (decision 0621): it will be redone. Its attempts, finished or
   * still running, are kept so that the redo records them instead of sending the requests again;
   * the ones it handed off stay. Kept entries not claimed within `keepMs` (the transaction had
   * committed after all, so nothing redoes them) are dropped.
   */
  kept(partition: number, running: readonly RunningAttempt[]): void {
    const old = Date.now() - this.keepMs;
    for (const [key, entry] of this.inFlight)
      if (entry.keptAt !== undefined && entry.keptAt < old) this.inFlight.delete(key);
    for (const r of running) {
      const key = keyOf(r.started);
      if (this.inFlight.has(key)) continue;
      // Full: the redo sends again, as it did before anything was kept.
      if (this.inFlight.size >= this.maxInFlight) return;
      this.remember(key, { partition, output: r.output, keptAt: Date.now() });
      r.output.catch(() => this.inFlight.delete(key));
    }
  }

  /**
   * Whether the attempt is held and its request has ended: its result can be recorded now, without
   * waiting for its in-flight record to come due (a stopping process does so before it leaves).
   */
  finished(callbackId: string, attempt: number): boolean {
    return this.inFlight.get(attemptKey(callbackId, attempt))?.settled === true;
  }

  private remember(key: string, held: Held): void {
    this.inFlight.set(key, held);
    held.output.then(
      () => (held.settled = true),
      () => undefined,
    );
  }

  /** After a rebalance: attempts of partitions now owned elsewhere are the new owner's to redo. */
  retain(owned: readonly number[]): void {
    const keep = new Set(owned);
    for (const [key, entry] of this.inFlight) if (!keep.has(entry.partition)) this.inFlight.delete(key);
  }
}
