import { onCallbackCancelled as sut } from './callback-cancelled.handler';
import {
  attempted,
  cancelled,
  configured,
  failed,
  given,
  LIVE,
  onceAndTwice,
  position,
  sent,
} from './handler.fixture';

describe('projection handler: CallbackCancelled', () => {
  it('given a disabled communication, when a pending callback is cancelled, then it is settled and the digest counts it', () => {
    const [m1, m2] = [sent(), sent()];
    const change = sut(given(configured(), m1, m2, failed(m1)), cancelled(m2), position(), LIVE);
    expect(change.callbacks).toEqual([expect.objectContaining({ state: 'cancelled', nextAttemptAt: null })]);
    expect(change.communications).toEqual([expect.objectContaining({ disabledCancelled: 1 })]);
  });

  it('given a settled callback, when a cancellation arrives, then nothing changes', () => {
    const m = sent();
    expect(sut(given(configured(), m, attempted(m, 1, 'succeeded')), cancelled(m), position(), LIVE)).toEqual(
      {},
    );
  });

  it('applied twice = applied once: the digest counts it once', () => {
    const [m1, m2] = [sent(), sent()];
    const { once, twice } = onceAndTwice(given(configured(), m1, m2, failed(m1)), sut, cancelled(m2));
    expect(twice).toEqual(once);
    expect(once.communications?.[0][1]).toMatchObject({ disabledCancelled: 1 });
  });
});
