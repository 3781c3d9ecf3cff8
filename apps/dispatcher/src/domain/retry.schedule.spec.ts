import { RetrySchedule } from './retry.schedule';

const record = (dueAt: number) => ({ kind: 'record' as const, dueAt });
const bytes = Buffer.from('{}');

describe('retry schedule', () => {
  it('given records written in any order, when time passes, then each fires at its own due time, earliest first', () => {
    const sut = new RetrySchedule(0n, 3n);
    sut.file(0n, record(300), bytes); // a 300 s-class retry
    sut.file(1n, record(300), bytes);
    sut.file(2n, record(121), bytes); // a 121 s hand-off written after them
    expect(sut.nextDueAt()).toBe(121);
    expect(sut.takeDue(200, 10).map((r) => r.offset)).toEqual([2n]);
    expect(sut.takeDue(299, 10)).toEqual([]);
    expect(sut.takeDue(300, 10).map((r) => r.offset)).toEqual([0n, 1n]);
  });

  it('given a take-over, when the partition is not read to its end yet, then nothing fires', () => {
    const sut = new RetrySchedule(10n, 13n);
    sut.file(10n, record(0), bytes);
    expect(sut.caughtUp).toBe(false);
    expect(sut.takeDue(1000, 10)).toEqual([]);
    sut.passed(13n); // commit markers at the end are never delivered as records
    expect(sut.takeDue(1000, 10).map((r) => r.offset)).toEqual([10n]);
  });

  it('given a take-over at the committed offset, when a batch fetched for the previous schedule starts further on, then it does not continue this one', () => {
    // The previous schedule had read to 20; the new one starts at the committed 10. Filing the
    // batch at 20 would move the position over 10..19, which would then never be read here.
    const sut = new RetrySchedule(10n, 25n);
    expect(sut.continues(20n)).toBe(false);
    expect(sut.continues(10n)).toBe(true);
    sut.file(10n, record(0), bytes);
    expect(sut.continues(11n)).toBe(true);
    expect(sut.continues(5n)).toBe(true); // a repeated fetch: what was read is filed once (below)
  });

  it('given a done marker read after its records, then those records never fire', () => {
    const sut = new RetrySchedule(0n, 3n);
    sut.file(0n, record(5), bytes);
    sut.file(1n, record(5), bytes);
    sut.file(2n, { kind: 'done', offsets: [0n] }, Buffer.from('x'));
    expect(sut.takeDue(10, 10).map((r) => r.offset)).toEqual([1n]);
  });

  it('given records still waiting, then a transaction commits the lowest unsettled offset', () => {
    const sut = new RetrySchedule(0n, 0n);
    sut.file(0n, record(300), bytes);
    sut.file(1n, record(121), bytes);
    const early = sut.takeDue(121, 10);
    expect(sut.commitOffset(early)).toBe(0n); // offset 0 waits still: a crash must read it again
    sut.settled(early);
    const late = sut.takeDue(300, 10);
    expect(sut.commitOffset(late)).toBe(2n); // nothing left: everything read is settled
    sut.settled(late);
    expect(sut.size).toBe(0);
  });

  it('given two chunks firing together, then each commit keeps the other chunk readable', () => {
    const sut = new RetrySchedule(0n, 0n);
    sut.file(0n, record(1), bytes);
    const a = sut.takeDue(1, 10);
    sut.file(1n, record(1), bytes);
    const b = sut.takeDue(1, 10);
    expect(sut.commitOffset(b)).toBe(0n);
    sut.settled(b);
    expect(sut.commitOffset(a)).toBe(2n);
  });

  it('given a record read twice (a repeated fetch), then it is filed once', () => {
    const sut = new RetrySchedule(0n, 0n);
    expect(sut.file(0n, record(1), bytes)).toBe(true);
    expect(sut.file(0n, record(1), bytes)).toBe(false);
    expect(sut.size).toBe(1);
    expect(sut.bytes).toBe(bytes.length);
  });

  it('given records below the committed offset, then they are not filed', () => {
    const sut = new RetrySchedule(5n, 5n);
    expect(sut.file(4n, record(1), bytes)).toBe(false);
    expect(sut.size).toBe(0);
  });

  it('given an unreadable value, then it is due at once (to be parked) and holds the offset until settled', () => {
    const sut = new RetrySchedule(0n, 0n);
    sut.file(0n, { kind: 'unreadable', message: 'junk' }, Buffer.from('junk'), Buffer.from('comm-1'));
    expect(sut.size).toBe(1);
    expect(sut.bytes).toBe('junk'.length + 'comm-1'.length);
    expect(sut.commitOffset([])).toBe(0n);
    const due = sut.takeDue(0, 10);
    expect(due.map((r) => [r.offset, r.key?.toString()])).toEqual([[0n, 'comm-1']]);
    expect(sut.commitOffset(due)).toBe(1n);
    sut.settled(due);
    expect(sut.bytes).toBe(0);
  });

  it('given records a stopping process can record now, then they are taken before they are due, and only they', () => {
    const sut = new RetrySchedule(0n, 3n);
    sut.file(0n, record(500), Buffer.from('held'));
    sut.file(1n, record(100), bytes);
    sut.file(2n, record(500), Buffer.from('held'));
    const held = (r: { value: Buffer }) => r.value.toString() === 'held';
    expect(sut.takeWhere(held, 1).map((r) => r.offset)).toEqual([0n]);
    expect(sut.takeWhere(held, 10).map((r) => r.offset)).toEqual([2n]);
    // Taken records fire once: the due ones left are the others.
    expect(sut.takeDue(1000, 10).map((r) => r.offset)).toEqual([1n]);
    expect(sut.commitOffset([])).toBe(0n);
  });

  it('given a take-over not read to its end, then nothing is taken early either', () => {
    const sut = new RetrySchedule(0n, 5n);
    sut.file(0n, record(500), bytes);
    expect(sut.takeWhere(() => true, 10)).toEqual([]);
  });

  it('hands out at most the chunk size at a time', () => {
    const sut = new RetrySchedule(0n, 0n);
    for (let i = 0n; i < 5n; i += 1n) sut.file(i, record(1), bytes);
    expect(sut.takeDue(1, 2)).toHaveLength(2);
    expect(sut.takeDue(1, 10)).toHaveLength(3);
  });
});
