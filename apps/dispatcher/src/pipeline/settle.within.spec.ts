import { settleWithin } from './settle.within';

const after = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe('settleWithin', () => {
  it('returns at the deadline with the settled values and the still running ones marked', async () => {
    const started = Date.now();
    const sut = await settleWithin([after(5, 'a'), after(400, 'b'), Promise.resolve('c')], 100);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sut).toEqual([{ done: true, value: 'a' }, { done: false }, { done: true, value: 'c' }]);
  });

  it('returns as soon as everything settled', async () => {
    const started = Date.now();
    const sut = await settleWithin([after(5, 1), after(10, 2)], 5000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sut).toEqual([
      { done: true, value: 1 },
      { done: true, value: 2 },
    ]);
  });

  it('rejects when a promise rejects before the deadline', async () => {
    await expect(settleWithin([Promise.reject(new Error('boom')), after(5, 1)], 1000)).rejects.toThrow(
      'boom',
    );
  });
});
