/**
 * The event ids ingest has appended recently, so that an event delivered again (producer retry,
 * a producer that re-sends, redelivery after a crash) is appended once.
 *
 * Memory is bounded twice: ids older than the window are forgotten, and beyond `maxIds` the oldest
 * are evicted first. Ids are kept in insertion order (a Map), which is arrival order, so eviction
 * walks from the front. A `claim` is provisional until the append it guards commits: a failed
 * append `release`s its ids so a retry of the same events is not mistaken for a duplicate.
 */
export class DedupWindow {
  /** id → time it was seen (ms since epoch). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxIds: number,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  has(id: string, now: number): boolean {
    const at = this.seen.get(id);
    return at !== undefined && at > now - this.windowMs;
  }

  /** Records an id that is already on the log (rebuild at start-up). */
  remember(id: string, at: number, now: number): void {
    if (at <= now - this.windowMs) return;
    // Re-inserting moves the id to the back, so the eviction order stays arrival order.
    this.seen.delete(id);
    this.seen.set(id, at);
    this.evict(now);
  }

  /** True when the id was not seen within the window: the caller now owns appending it. */
  claim(id: string, now: number): boolean {
    if (this.has(id, now)) return false;
    this.remember(id, now, now);
    return true;
  }

  /** Undoes claims whose append failed. */
  release(ids: Iterable<string>): void {
    for (const id of ids) this.seen.delete(id);
  }

  private evict(now: number): void {
    const cutoff = now - this.windowMs;
    for (const [id, at] of this.seen) {
      if (this.seen.size <= this.maxIds && at > cutoff) break;
      this.seen.delete(id);
    }
  }
}
