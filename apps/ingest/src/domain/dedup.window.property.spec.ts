import fc from 'fast-check';
import { DedupWindow } from './dedup.window';

/**
 * Property: the compact window answers exactly as the simple model it replaced (decision 0750) — a
 * Map from the id (a UUID in either spelling is one id) to the whole second it was seen, in
 * insertion order, evicting from the front while it holds more than `maxIds` or the front is stale.
 * Any sequence of claims, remembers (the rebuild, with times in the past and out of order),
 * releases and lookups gives the same answers and the same size.
 */
class SimpleWindow {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly windowMs: number,
    private readonly maxIds: number,
  ) {}
  get size(): number {
    return this.seen.size;
  }
  has(id: string, now: number): boolean {
    const s = this.seen.get(canonical(id));
    return s !== undefined && s * 1000 > now - this.windowMs;
  }
  remember(id: string, at: number, now: number): void {
    if (at <= now - this.windowMs) return;
    this.seen.delete(canonical(id));
    this.seen.set(canonical(id), Math.floor(at / 1000));
    for (const [key, s] of this.seen) {
      if (this.seen.size <= this.maxIds && s * 1000 > now - this.windowMs) break;
      this.seen.delete(key);
    }
  }
  claim(id: string, now: number): boolean {
    if (this.has(id, now)) return false;
    this.remember(id, now, now);
    return true;
  }
  release(ids: string[]): void {
    for (const id of ids) this.seen.delete(canonical(id));
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const canonical = (id: string) => (UUID.test(id) ? id.toLowerCase() : `other:${id}`);

type Op =
  | { op: 'claim'; id: string; step: number }
  | { op: 'remember'; id: string; ago: number; step: number }
  | { op: 'release'; ids: string[] }
  | { op: 'has'; id: string };

/**
 * Ids from a pool small enough to repeat: UUIDs in both spellings (differing in the first word and,
 * for some, the last), now and then a UUID outside the pool, and a few ids that are not UUIDs.
 */
function idsFrom(pool: number): fc.Arbitrary<string> {
  const uuid = (n: number, upper: boolean) => {
    const id = `${n.toString(16).padStart(8, '0')}-0000-4000-8000-${(n % 7).toString(16).padStart(12, '0')}`;
    return upper ? id.toUpperCase() : id;
  };
  return fc.oneof(
    { weight: 12, arbitrary: fc.tuple(fc.nat(pool - 1), fc.boolean()).map(([n, up]) => uuid(n, up)) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom('x', 'y', '', 'ünï', '00000000000040008000000000000000') },
  );
}

function opsFrom(pool: number, steps: number): fc.Arbitrary<Op> {
  const id = idsFrom(pool);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('claim' as const), id, step: fc.nat(steps) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('remember' as const),
        id,
        ago: fc.nat(8_000),
        step: fc.nat(steps),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant('release' as const), ids: fc.array(id, { maxLength: 6 }) }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('has' as const), id }) },
  );
}

function sameAnswers(windowMs: number, maxIds: number, ops: Op[]): void {
  const model = new SimpleWindow(windowMs, maxIds);
  const sut = new DedupWindow(windowMs, maxIds);
  let now = 1_700_000_000_000;
  for (const o of ops) {
    if (o.op === 'claim') {
      now += o.step;
      expect(sut.claim(o.id, now)).toBe(model.claim(o.id, now));
    } else if (o.op === 'remember') {
      now += o.step;
      sut.remember(o.id, now - o.ago, now);
      model.remember(o.id, now - o.ago, now);
    } else if (o.op === 'release') {
      sut.release(o.ids);
      model.release(o.ids);
    } else {
      expect(sut.has(o.id, now)).toBe(model.has(o.id, now));
    }
    expect(sut.size).toBe(model.size);
  }
}

describe('DedupWindow against the simple model', () => {
  it('answers the same for small windows (eviction by count and by age, gaps from releases)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(opsFrom(40, 1_500), { maxLength: 400 }),
        (maxIds, ops) => sameAnswers(5_000, maxIds, ops),
      ),
      { numRuns: 300 },
    );
  });

  it('answers the same while the window grows past its first allocation', () => {
    fc.assert(
      fc.property(fc.array(opsFrom(3_000, 20), { minLength: 2_000, maxLength: 4_000 }), (ops) =>
        sameAnswers(60_000, 1_500, ops),
      ),
      { numRuns: 20 },
    );
  });
});
