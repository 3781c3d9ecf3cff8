import { DedupWindow } from './dedup.window';

describe('DedupWindow', () => {
  const hour = 3_600_000;

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
    sut.release([id.toUpperCase()]);
    expect(sut.claim(id, 3)).toBe(true);
  });
});
