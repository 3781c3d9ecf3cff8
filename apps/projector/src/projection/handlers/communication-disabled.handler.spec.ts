import { onCommunicationDisabled as sut } from './communication-disabled.handler';
import {
  COMM,
  configured,
  disabledByOperator,
  event,
  failed,
  given,
  LIVE,
  onceAndTwice,
  position,
  sent,
} from './handler.fixture';

describe('projection handler: CommunicationDisabled', () => {
  it('given an active communication, when an operator disables it, then it is disabled by them with a fresh digest', () => {
    const change = sut(given(configured()), disabledByOperator(), position(), LIVE);
    expect(change.communications).toEqual([
      expect.objectContaining({
        status: 'disabled',
        disabledBy: 'jane',
        disabledReason: 'maintenance',
        disabledFailed: 0,
      }),
    ]);
  });

  it("given the projector's own disable read back from the log, then only its outbox row is marked published", () => {
    const m = sent();
    const f = failed(m);
    const own = event('CommunicationDisabled', {
      callbackId: f.data.callbackId,
      causeEventId: f.id,
      reason: 'failed',
      by: 'projector',
    });
    const change = sut(given(configured(), m, f), own, position(), LIVE);
    expect(change).toEqual({ published: [{ eventId: own.id, partition: 0, offset: '100' }] });
  });

  it('applied twice = applied once', () => {
    const { once, twice } = onceAndTwice(given(configured()), sut, disabledByOperator());
    expect(twice).toEqual(once);
    expect(once.communications).toEqual([[COMM, expect.objectContaining({ status: 'disabled' })]]);
  });
});
