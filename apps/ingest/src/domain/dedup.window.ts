import { createHash } from 'node:crypto';

/**
 * The event ids ingest has appended recently, so that an event delivered again (producer retry,
 * a producer that re-sends, redelivery after a crash) is appended once.
 *
 * Memory is bounded twice: ids older than the window are forgotten, and beyond `maxIds` the oldest
 * are evicted first. Ids are kept in arrival order, so eviction walks from the front. A `claim` is
 * provisional until the append it guards commits: a failed append `release`s its ids so a retry
 * of the same events is not mistaken for a duplicate.
 *
 * The window holds up to a million ids, so it is kept in typed arrays rather than a Map of strings
 * (decision 0750): a ring of slots in arrival order (each id's 128-bit key as four 32-bit words, its
 * time in whole seconds, its kind) and an open-addressing index from key to slot. An entry costs
 * about 30 bytes and no object for the garbage collector to trace. A UUID's key is its own 16
 * bytes, compared in full: two distinct UUIDs never share an entry. Any other id (never an event id,
 * which is a validated UUID) is keyed by 128 bits of its SHA-256 and marked as such, so it cannot
 * meet a UUID; two such ids share a key with a probability of about n² / 2¹²⁹.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const WORDS = 4;
/** Kinds of slot: a removed entry (skipped until the ring is compacted), a UUID, any other id. */
const GONE = 0;
const IS_UUID = 1;
const IS_OTHER = 2;
/** The ring starts this small and doubles while it fills, up to its bound. */
const FIRST_CAPACITY = 1024;

/** Writes the id's 128-bit key into `out` and returns its kind. */
function keyOf(id: string, out: Uint32Array): number {
  if (UUID.test(id)) {
    out[0] = parseInt(id.slice(0, 8), 16);
    out[1] = parseInt(id.slice(9, 13) + id.slice(14, 18), 16);
    out[2] = parseInt(id.slice(19, 23) + id.slice(24, 28), 16);
    out[3] = parseInt(id.slice(28, 36), 16);
    return IS_UUID;
  }
  const digest = createHash('sha256').update(id, 'utf8').digest();
  for (let w = 0; w < WORDS; w += 1) out[w] = digest.readUInt32BE(4 * w);
  return IS_OTHER;
}

/** Mixes the four words (MurmurHash3's finaliser), so sequential or patterned ids spread too. */
function hashOf(k0: number, k1: number, k2: number, k3: number): number {
  let h = k0 ^ Math.imul(k1, 0x85ebca6b) ^ Math.imul(k2, 0xc2b2ae35) ^ Math.imul(k3, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const secondsOf = (ms: number): number => Math.floor(ms / 1000);

/** The smallest power of two that holds `n` entries at a load of at most three quarters. */
const indexSizeFor = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(8, Math.ceil((n * 4) / 3))));

export class DedupWindow {
  /**
   * Slots the ring may grow to: a quarter more than `maxIds`, so that compacting a full ring (the
   * slots of released or re-remembered ids) always frees many slots at once.
   */
  private readonly maxCapacity: number;
  private capacity: number;
  /** Per slot: the key's four words, the second it was seen (since epoch) and its kind. */
  private keys: Uint32Array;
  private seconds: Uint32Array;
  private kinds: Uint8Array;
  /** The oldest slot in use, and how many slots from it are in use (live or gone). */
  private head = 0;
  private used = 0;
  private live = 0;
  /** Open addressing with linear probing: slot + 1, 0 = empty. */
  private index: Int32Array;
  private mask: number;
  private readonly key = new Uint32Array(WORDS);

  constructor(
    private readonly windowMs: number,
    private readonly maxIds: number,
  ) {
    this.maxCapacity = maxIds + Math.max(1, Math.ceil(maxIds / 4));
    this.capacity = Math.min(FIRST_CAPACITY, this.maxCapacity);
    this.keys = new Uint32Array(this.capacity * WORDS);
    this.seconds = new Uint32Array(this.capacity);
    this.kinds = new Uint8Array(this.capacity);
    this.index = new Int32Array(indexSizeFor(this.capacity));
    this.mask = this.index.length - 1;
  }

  get size(): number {
    return this.live;
  }

  has(id: string, now: number): boolean {
    const slot = this.find(keyOf(id, this.key));
    return slot >= 0 && this.fresh(slot, now);
  }

  /** Records an id that is already on the log (rebuild at start-up). Times are whole seconds, so
   * an id may be forgotten up to one second before the window ends. */
  remember(id: string, at: number, now: number): void {
    if (at <= now - this.windowMs) return;
    const kind = keyOf(id, this.key);
    // Remembering again moves the id to the back, so the eviction order stays arrival order.
    const slot = this.find(kind);
    if (slot >= 0) this.remove(slot);
    this.append(kind, secondsOf(at));
    this.evict(now);
  }

  /** True when the id was not seen within the window: the caller now owns appending it. */
  claim(id: string, now: number): boolean {
    const kind = keyOf(id, this.key);
    const slot = this.find(kind);
    if (slot >= 0) {
      if (this.fresh(slot, now)) return false;
      this.remove(slot);
    }
    this.append(kind, secondsOf(now));
    this.evict(now);
    return true;
  }

  /** Undoes claims whose append failed. */
  release(ids: Iterable<string>): void {
    for (const id of ids) {
      const slot = this.find(keyOf(id, this.key));
      if (slot >= 0) this.remove(slot);
    }
  }

  private fresh(slot: number, now: number): boolean {
    return this.seconds[slot] * 1000 > now - this.windowMs;
  }

  private evict(now: number): void {
    while (this.used > 0) {
      const slot = this.head;
      if (this.kinds[slot] !== GONE) {
        if (this.live <= this.maxIds && this.fresh(slot, now)) break;
        this.remove(slot);
      }
      this.head = slot + 1 === this.capacity ? 0 : slot + 1;
      this.used -= 1;
    }
  }

  /** The slot holding the key in `this.key` with this kind, or -1. */
  private find(kind: number): number {
    const { key, keys, kinds, index, mask } = this;
    const k0 = key[0];
    const k1 = key[1];
    const k2 = key[2];
    const k3 = key[3];
    for (let i = hashOf(k0, k1, k2, k3) & mask; ; i = (i + 1) & mask) {
      const entry = index[i];
      if (entry === 0) return -1;
      const slot = entry - 1;
      const at = slot * WORDS;
      if (
        keys[at] === k0 &&
        keys[at + 1] === k1 &&
        keys[at + 2] === k2 &&
        keys[at + 3] === k3 &&
        kinds[slot] === kind
      )
        return slot;
    }
  }

  /** Appends the key in `this.key` at the back of the ring. */
  private append(kind: number, seconds: number): void {
    if (this.used === this.capacity) this.makeRoom();
    let slot = this.head + this.used;
    if (slot >= this.capacity) slot -= this.capacity;
    this.keys.set(this.key, slot * WORDS);
    this.seconds[slot] = seconds;
    this.kinds[slot] = kind;
    this.used += 1;
    this.live += 1;
    this.indexSlot(slot);
  }

  /** Forgets a live slot: out of the index, marked gone in the ring (skipped by `evict`). */
  private remove(slot: number): void {
    const { index, mask } = this;
    let i = this.homeOf(slot);
    while (index[i] !== slot + 1) i = (i + 1) & mask;
    // Backward-shift deletion: later entries of the probe run move into the hole, so no lookup
    // ever stops early at it and the index needs no tombstones.
    for (let j = (i + 1) & mask; index[j] !== 0; j = (j + 1) & mask) {
      const home = this.homeOf(index[j] - 1);
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        index[i] = index[j];
        i = j;
      }
    }
    index[i] = 0;
    this.kinds[slot] = GONE;
    this.live -= 1;
  }

  private homeOf(slot: number): number {
    const { keys } = this;
    const at = slot * WORDS;
    return hashOf(keys[at], keys[at + 1], keys[at + 2], keys[at + 3]) & this.mask;
  }

  private indexSlot(slot: number): void {
    const { index, mask } = this;
    let i = this.homeOf(slot);
    while (index[i] !== 0) i = (i + 1) & mask;
    index[i] = slot + 1;
  }

  /**
   * The ring is full of live and gone slots: copies the live ones, in order, to the front of a
   * ring twice as large while it may grow and is more than half live, else of the same size.
   * Either frees at least a fifth of the ring, so the copy costs a constant per append.
   */
  private makeRoom(): void {
    const grow = this.capacity < this.maxCapacity && this.live * 2 > this.capacity;
    const capacity = grow ? Math.min(this.maxCapacity, this.capacity * 2) : this.capacity;
    const keys = new Uint32Array(capacity * WORDS);
    const seconds = new Uint32Array(capacity);
    const kinds = new Uint8Array(capacity);
    let n = 0;
    for (let k = 0, slot = this.head; k < this.used; k += 1) {
      if (this.kinds[slot] !== GONE) {
        keys.set(this.keys.subarray(slot * WORDS, slot * WORDS + WORDS), n * WORDS);
        seconds[n] = this.seconds[slot];
        kinds[n] = this.kinds[slot];
        n += 1;
      }
      slot = slot + 1 === this.capacity ? 0 : slot + 1;
    }
    this.capacity = capacity;
    this.keys = keys;
    this.seconds = seconds;
    this.kinds = kinds;
    this.head = 0;
    this.used = n;
    this.index = new Int32Array(indexSizeFor(capacity));
    this.mask = this.index.length - 1;
    for (let slot = 0; slot < n; slot += 1) this.indexSlot(slot);
  }
}
