import { classifyFailure } from './failure.classify';
import { WaitTimedOut, within } from './bounded.wait';

describe('within', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('given a wait that settles in time, when bounded, then its result passes through', async () => {
    // given
    const wait = Promise.resolve('done');
    // when
    const result = await within(wait, 1_000, 'the wait');
    // then
    expect(result).toBe('done');
  });

  test('given a wait that fails in time, when bounded, then its own error passes through', async () => {
    // given
    const wait = Promise.reject(new Error('refused'));
    // when
    const result = within(wait, 1_000, 'the wait');
    // then
    await expect(result).rejects.toThrow('refused');
  });

  test('given a wait that never settles, when its time is up, then it fails as retriable and transient', async () => {
    // given
    const wait = new Promise<never>(() => undefined);
    // when
    const result = within(wait, 1_000, 'initialising producer x');
    jest.advanceTimersByTime(1_000);
    // then
    await expect(result).rejects.toThrow(new WaitTimedOut('initialising producer x', 1_000));
    const error = await result.catch((e: unknown) => e);
    expect({ retriable: (error as WaitTimedOut).retriable, class: classifyFailure(error).class }).toEqual({
      retriable: true,
      class: 'transient',
    });
  });
});
