import { BatchChanges } from './batch.changes';

describe('batch changes', () => {
  it('given changes, when the batch rolls back, then everything is as before, last change undone first', () => {
    const sut = new BatchChanges();
    const log: string[] = [];
    let value = 'a';
    sut.apply(
      () => (value = 'b'),
      () => (log.push('undo b'), (value = 'a')),
    );
    sut.apply(
      () => (value = 'c'),
      () => (log.push('undo c'), (value = 'b')),
    );
    sut.rollback();
    expect(value).toBe('a');
    expect(log).toEqual(['undo c', 'undo b']);
  });

  it('given a committed batch, when it is rolled back afterwards, then nothing is undone', () => {
    const sut = new BatchChanges();
    let value = 1;
    sut.apply(
      () => (value = 2),
      () => (value = 1),
    );
    sut.commit();
    sut.rollback();
    expect(value).toBe(2);
  });

  it('given a rolled-back batch, when a late attempt of it changes something, then nothing changes', () => {
    const sut = new BatchChanges();
    sut.rollback();
    let value = 1;
    sut.apply(
      () => (value = 2),
      () => (value = 1),
    );
    expect(value).toBe(1);
  });

  it('given a committed batch, when a late attempt changes something, then it applies and stays', () => {
    const sut = new BatchChanges();
    sut.commit();
    let value = 1;
    sut.apply(
      () => (value = 2),
      () => (value = 1),
    );
    sut.rollback();
    expect(value).toBe(2);
  });
});
