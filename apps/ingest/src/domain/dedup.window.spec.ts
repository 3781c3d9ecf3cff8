import { DedupWindow } from './dedup.window';

describe('DedupWindow', () => {
  const hour = 3_600_000;
  const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

  it('claims an id once and reports the second claim as a duplicate', () => {
    const sut = new DedupWindow(hour, 10);
    expect(sut.claim('a', 0)).toBe(true);
    expect(sut.claim('a', 1)).toBe(false);
    expect(sut.claim('b', 2)).toBe(true);
  });

  it('forgets an id once it is older than the window', () => {
    const sut = new DedupWindow(hour, 10);
    sut.claim('a', 0);
    expect(sut.claim('a', hour - 1)).toBe(false);
    expect(sut.claim('a', hour + 1)).toBe(true);
  });

  it('evicts the oldest ids beyond the maximum count', () => {
    const sut = new DedupWindow(hour, 2);
    sut.claim('a', 0);
    sut.claim('b', 1);
    sut.claim('c', 2);
    expect(sut.size).toBe(2);
    expect(sut.has('a', 3)).toBe(false);
    expect(sut.has('b', 3)).toBe(true);
    expect(sut.has('c', 3)).toBe(true);
  });

  it('ignores remembered ids that are already outside the window', () => {
    const sut = new DedupWindow(hour, 10);
    sut.remember('old', 0, 2 * hour);
    sut.remember('recent', 2 * hour - 10, 2 * hour);
    expect(sut.has('old', 2 * hour)).toBe(false);
    expect(sut.has('recent', 2 * hour)).toBe(true);
  });

  it('releases claims whose append failed so a retry is not a duplicate', () => {
    const sut = new DedupWindow(hour, 10);
    sut.claim('a', 0);
    sut.release(['a']);
    expect(sut.claim('a', 1)).toBe(true);
  });

  it('treats the two spellings of one UUID as the same id and keeps UUIDs apart from other ids', () => {
    const sut = new DedupWindow(hour, 10);
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(sut.claim(id, 0)).toBe(true);
    expect(sut.claim(id.toUpperCase(), 1)).toBe(false);
    expect(sut.claim(Buffer.from(id.replace(/-/g, ''), 'hex').toString('latin1'), 2)).toBe(true);
    expect(sut.claim(id.replace(/-/g, ''), 3)).toBe(true);
    sut.release([id.toUpperCase()]);
    expect(sut.claim(id, 4)).toBe(true);
  });

  it('tells apart UUIDs that differ in a single bit of any word', () => {
    // given a window holding one UUID
    const sut = new DedupWindow(hour, 200);
    const base = '0f8fad5b-d9cb-469f-a165-70867728950e';
    sut.claim(base, 0);
    // when each of its 32 hex digits is changed in turn
    const hex = [...base].map((c, i) => (c === '-' ? -1 : i)).filter((i) => i >= 0);
    const others = hex.map((i) => base.slice(0, i) + (base[i] === '0' ? '1' : '0') + base.slice(i + 1));
    // then every one is new, and the original is still a duplicate
    for (const other of others) expect(sut.claim(other, 1)).toBe(true);
    expect(sut.claim(base, 2)).toBe(false);
  });

  it('keeps its bounds while a full window is released and refilled many times over', () => {
    // given a full window of 100 ids
    const sut = new DedupWindow(hour, 100);
    for (let n = 0; n < 100; n += 1) sut.claim(uuid(n), 0);
    // when half of them are released and claimed again, over and over (the ring fills with gaps)
    for (let round = 0; round < 20; round += 1) {
      const half = Array.from({ length: 50 }, (_, k) => uuid(2 * k + (round % 2)));
      sut.release(half);
      for (const id of half) expect(sut.claim(id, round)).toBe(true);
    }
    // then all 100 are still there, and a new id evicts exactly the oldest
    expect(sut.size).toBe(100);
    for (let n = 0; n < 100; n += 1) expect(sut.has(uuid(n), 20)).toBe(true);
    const oldest = uuid(0);
    expect(sut.claim(uuid(1000), 21)).toBe(true);
    expect(sut.size).toBe(100);
    expect(sut.has(oldest, 21)).toBe(false);
  });

  it('grows past its first allocation to hold a large window', () => {
    // given a window of 5,000 ids
    const sut = new DedupWindow(hour, 5_000);
    // when 6,000 distinct ids are claimed
    for (let n = 0; n < 6_000; n += 1) expect(sut.claim(uuid(n), n)).toBe(true);
    // then the newest 5,000 are duplicates and the first 1,000 were evicted
    expect(sut.size).toBe(5_000);
    for (let n = 0; n < 1_000; n += 1) expect(sut.has(uuid(n), 6_000)).toBe(false);
    for (let n = 1_000; n < 6_000; n += 1) expect(sut.claim(uuid(n), 6_000)).toBe(false);
  });
});
