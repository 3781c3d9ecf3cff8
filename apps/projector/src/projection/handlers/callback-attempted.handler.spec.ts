import { callbackIdOf } from '@app/contracts';
import { onCallbackAttempted as sut } from './callback-attempted.handler';
import { attempted, configured, given, LIVE, onceAndTwice, position, sent } from './handler.fixture';

describe('projection handler: CallbackAttempted', () => {
  it('given a pending callback, when an attempt will be retried, then the attempt is history and the callback waits for the retry', () => {
    const m = sent();
    const e = attempted(m, 1, 'retrying');
    const change = sut(given(configured(), m), e, position(), LIVE);
    expect(change.attempts).toEqual([
      expect.objectContaining({ eventId: e.id, attempt: 1, outcome: 'retrying', logOffset: '100' }),
    ]);
    expect(change.callbacks).toEqual([
      expect.objectContaining({
        state: 'pending',
        attempts: 1,
        nextAttemptAt: e.data.nextAttemptAt,
        finishedAt: null,
      }),
    ]);
  });

  it('given a callback, when an attempt succeeds, then it is settled', () => {
    const m = sent();
    const e = attempted(m, 2, 'succeeded');
    const change = sut(given(configured(), m, attempted(m, 1, 'retrying')), e, position(), LIVE);
    expect(change.callbacks).toEqual([
      expect.objectContaining({
        state: 'succeeded',
        attempts: 2,
        nextAttemptAt: null,
        finishedAt: e.occurredAt,
      }),
    ]);
  });

  it('given a later attempt recorded, when an older one arrives, then it is history only', () => {
    const m = sent();
    const change = sut(
      given(configured(), m, attempted(m, 2, 'retrying')),
      attempted(m, 1, 'retrying'),
      position(),
      LIVE,
    );
    expect(change.attempts).toHaveLength(1);
    expect(change.callbacks).toBeUndefined();
  });

  it('applied twice = applied once', () => {
    const m = sent();
    const { once, twice } = onceAndTwice(given(configured(), m), sut, attempted(m, 1, 'retrying'));
    expect(twice).toEqual(once);
    expect(once.attempts).toHaveLength(1);
    expect(once.callbacks).toEqual([[callbackIdOf(m.id, 'cb'), expect.objectContaining({ attempts: 1 })]]);
  });
});
