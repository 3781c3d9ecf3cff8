import { ConsumerProgress } from './consumer.progress';

describe('ConsumerProgress', () => {
  const stallAfterMs = 60_000;
  const none = () => false;

  function owning(partitions: number[], at = 0): ConsumerProgress {
    const sut = new ConsumerProgress(stallAfterMs);
    sut.assigned({ log: partitions }, at);
    return sut;
  }

  it('finds nothing stuck while batches keep ending', () => {
    // given
    const sut = owning([0, 1]);
    // when
    sut.batchStarted('log', 0, 50_000);
    sut.batchEnded('log', 0, 120, 51_000);
    sut.batchStarted('log', 0, 100_000);
    sut.batchEnded('log', 0, 0, 101_000);
    // then
    expect(sut.stalls(150_000, none)).toEqual([]);
  });

  it('finds a partition whose batch started and never ended', () => {
    // given
    const sut = owning([0, 1]);
    sut.batchStarted('log', 1, 10_000);
    // when
    const stalls = sut.stalls(10_000 + stallAfterMs + 1, none);
    // then
    expect(stalls).toEqual([{ topic: 'log', partition: 1, kind: 'batch', sinceMs: 70_001 }]);
  });

  it('finds a partition left behind its end with no batch since', () => {
    // given
    const sut = owning([0]);
    sut.batchStarted('log', 0, 1_000);
    sut.batchEnded('log', 0, 500, 2_000);
    // when
    const early = sut.stalls(2_000 + stallAfterMs, none);
    const late = sut.stalls(2_000 + stallAfterMs + 1, none);
    // then
    expect({ early, late }).toEqual({
      early: [],
      late: [{ topic: 'log', partition: 0, kind: 'lag', sinceMs: 60_001 }],
    });
  });

  it('finds nothing stuck on a partition that is at its end however long it stays idle', () => {
    // given
    const sut = owning([0]);
    sut.batchEnded('log', 0, 0, 2_000);
    // when
    const stalls = sut.stalls(10 * stallAfterMs, none);
    // then
    expect(stalls).toEqual([]);
  });

  it('does not judge a partition its service holds on purpose', () => {
    // given
    const sut = owning([0, 1]);
    sut.batchStarted('log', 0, 0);
    sut.batchStarted('log', 1, 0);
    // when
    const stalls = sut.stalls(stallAfterMs + 1, (_topic, partition) => partition === 0);
    // then
    expect(stalls.map((s) => s.partition)).toEqual([1]);
  });

  it('starts every clock again at a new assignment, and forgets partitions given up', () => {
    // given
    const sut = owning([0, 1]);
    sut.batchStarted('log', 0, 0);
    sut.batchEnded('log', 1, 10, 0);
    // when
    sut.assigned({ log: [1, 2] }, stallAfterMs);
    sut.batchStarted('log', 0, stallAfterMs);
    // then
    expect(sut.stalls(stallAfterMs + 1_000, none)).toEqual([]);
    expect(sut.stalls(2 * stallAfterMs + 1, none)).toEqual([]);
  });
});
