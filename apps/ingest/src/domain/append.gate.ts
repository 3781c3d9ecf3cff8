import { DedupWindow } from './dedup.window';

interface InFlight {
  owner: object;
  done: Promise<void>;
  settle: () => void;
}

/**
 * De-duplication shared by the Kafka consumer and the HTTP endpoint. An id claimed by one append
 * that has not committed yet is "in flight": another append that meets the same id waits for the
 * first to settle instead of calling it a duplicate at once, because the first may still abort (and
 * then the second must append it, or the event would be lost). The same id twice within one append
 * (one owner) is a plain duplicate.
 */
export class AppendGate {
  private readonly inFlight = new Map<string, InFlight>();

  constructor(
    private current: DedupWindow,
    private readonly now: () => number = Date.now,
  ) {}

  get window(): DedupWindow {
    return this.current;
  }

  /**
   * Replaces the window (rebuilt from another log, decision 0644). Ids claimed by appends still
   * running stay claimed, so a concurrent claim of the same id still waits for their outcome.
   */
  useWindow(window: DedupWindow): void {
    const now = this.now();
    for (const id of this.inFlight.keys()) window.remember(id, now, now);
    this.current = window;
  }

  /** Resolves true when `owner` now owns appending `id`, false when it is a duplicate. */
  async claim(id: string, owner: object): Promise<boolean> {
    for (;;) {
      if (this.current.claim(id, this.now())) {
        let settle!: () => void;
        const done = new Promise<void>((r) => (settle = r));
        this.inFlight.set(id, { owner, done, settle });
        return true;
      }
      const pending = this.inFlight.get(id);
      if (!pending || pending.owner === owner) return false;
      await pending.done;
    }
  }

  /** The append of `ids` committed: they stay in the window. */
  committed(ids: Iterable<string>): void {
    this.settle(ids, false);
  }

  /** The append of `ids` failed: forget them so the next delivery appends them. */
  aborted(ids: Iterable<string>): void {
    this.settle(ids, true);
  }

  private settle(ids: Iterable<string>, forget: boolean): void {
    for (const id of ids) {
      const entry = this.inFlight.get(id);
      if (forget) this.current.release([id]);
      if (entry) {
        this.inFlight.delete(id);
        entry.settle();
      }
    }
  }
}
