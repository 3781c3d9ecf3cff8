/**
 * The event ids ingest has appended recently, so that an event delivered again (producer retry,
 * a producer that re-sends, redelivery after a crash) is appended once.
 *
 * Memory is bounded twice: ids older than the window are forgotten, and beyond `maxIds` the oldest
 * are evicted first. Ids are kept in insertion order (a Map), which is arrival order, so eviction
 * walks from the front. A `claim` is provisional until the append it guards commits: a failed
 * append `release`s its ids so a retry of the same events is not mistaken for a duplicate.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The window holds up to a million ids, so each entry is kept small: a UUID becomes its 16 bytes
 * as a one-byte string (not 36 characters), and its time whole seconds (a small integer, not a
 * heap number). Anything else (never an event id, which is a validated UUID) is kept as it is,
 * behind a prefix so it cannot collide with a 16-byte key.
 */
const keyOf = (id: string): string =>
  UUID.test(id) ? Buffer.from(id.replace(/-/g, ''), 'hex').toString('latin1') : `~${id}`;
const secondsOf = (ms: number): number => Math.floor(ms / 1000);

export class DedupWindow {
  /** key of the id → second it was seen (since epoch). Times are whole seconds, so an id may be
   * forgotten up to one second before the window ends. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxIds: number,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  has(id: string, now: number): boolean {
    return this.fresh(this.seen.get(keyOf(id)), now);
  }

  /** Records an id that is already on the log (rebuild at start-up). */
  remember(id: string, at: number, now: number): void {
    if (at <= now - this.windowMs) return;
    // Re-inserting moves the id to the back, so the eviction order stays arrival order.
    const key = keyOf(id);
    this.seen.delete(key);
    this.seen.set(key, secondsOf(at));
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
    for (const id of ids) this.seen.delete(keyOf(id));
  }

  private fresh(seconds: number | undefined, now: number): boolean {
    return seconds !== undefined && seconds * 1000 > now - this.windowMs;
  }

  private evict(now: number): void {
    for (const [key, seconds] of this.seen) {
      if (this.seen.size <= this.maxIds && this.fresh(seconds, now)) break;
      this.seen.delete(key);
    }
  }
}
