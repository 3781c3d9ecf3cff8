import { onCommunicationEnabled as sut } from './communication-enabled.handler';
import {
  COMM,
  configured,
  enabled,
  failed,
  given,
  LIVE,
  onceAndTwice,
  position,
  sent,
} from './handler.fixture';

describe('projection handler: CommunicationEnabled', () => {
  it('given a disabled communication, when it is enabled, then it is active in a new period and the disable is cleared', () => {
    const m = sent();
    const e = enabled();
    const change = sut(given(configured(), m, failed(m)), e, position(), LIVE);
    expect(change.communications).toEqual([
      expect.objectContaining({
        status: 'active',
        activeSince: e.id,
        disabledAt: null,
        disabledCauseEventId: null,
        disabledFailed: 0,
        enabledBy: 'jane',
      }),
    ]);
  });

  it('given an active communication, when it is enabled, then who and why are kept but the period stays', () => {
    const change = sut(given(configured()), enabled(), position(), LIVE);
    expect(change.communications).toEqual([
      expect.objectContaining({ status: 'active', activeSince: null, enabledBy: 'jane' }),
    ]);
  });

  it('applied twice = applied once', () => {
    const m = sent();
    const { once, twice } = onceAndTwice(given(configured(), m, failed(m)), sut, enabled());
    expect(twice).toEqual(once);
    expect(once.communications).toEqual([[COMM, expect.objectContaining({ status: 'active' })]]);
  });
});
