import { onCallbackFailed as sut } from './callback-failed.handler';
import {
  configured,
  enabled,
  failed,
  given,
  LIVE,
  onceAndTwice,
  position,
  sent,
  COMM,
} from './handler.fixture';

describe('projection handler: CallbackFailed (the disable rule)', () => {
  it('given an active communication, when a callback fails for good, then it is disabled with one CommunicationDisabled and one alert per address', () => {
    const m = sent();
    const db = given(configured(['ops@example.test', 'OPS@example.test', 'owner@example.test']), m);
    const e = failed(m);
    const change = sut(db, e, position(), LIVE);
    expect(change.communications).toEqual([
      expect.objectContaining({
        status: 'disabled',
        disabledBy: 'projector',
        disabledCauseEventId: e.id,
        disabledCallbackId: e.data.callbackId,
        disabledFailed: 0,
      }),
    ]);
    expect(change.callbacks).toEqual([
      expect.objectContaining({ state: 'failed', attempts: 3, nextAttemptAt: null }),
    ]);
    expect(change.outboxEvents?.map((o) => [o.eventType, o.causeEventId])).toEqual([
      ['CommunicationDisabled', e.id],
    ]);
    expect(change.emails?.map((m) => [m.toAddress, m.status, m.kind, m.sequence])).toEqual([
      ['ops@example.test', 'pending', 'disabled', 0],
      ['owner@example.test', 'pending', 'disabled', 0],
    ]);
  });

  it('given a disabled communication, when another callback fails, then only the digest counts it', () => {
    const [m1, m2] = [sent(), sent()];
    const db = given(configured(), m1, m2, failed(m1));
    const change = sut(db, failed(m2), position(), LIVE);
    expect(change.communications).toEqual([
      expect.objectContaining({ status: 'disabled', disabledFailed: 1 }),
    ]);
    expect(change.outboxEvents).toBeUndefined();
    expect(change.emails).toBeUndefined();
  });

  it('given a re-enabled communication, when a failure of the earlier active period arrives, then nothing is disabled', () => {
    const [m1, m2] = [sent(), sent()];
    const db = given(configured(), m1, m2, failed(m1, null), enabled());
    const change = sut(db, failed(m2, null), position(), LIVE);
    expect(change.communications).toBeUndefined();
    expect(change.callbacks).toEqual([expect.objectContaining({ state: 'failed' })]);
  });

  it('given a re-enabled communication, when a failure of the new active period arrives, then it is a new disable', () => {
    const [m1, m2] = [sent(), sent()];
    const enable = enabled();
    const db = given(configured(), m1, m2, failed(m1), enable);
    const change = sut(db, failed(m2, enable.id), position(), LIVE);
    expect(change.communications).toEqual([
      expect.objectContaining({ status: 'disabled', activeSince: enable.id }),
    ]);
    expect(change.emails).toHaveLength(2);
  });

  it('given a replay, when a callback fails for good, then the alerts are recorded as suppressed', () => {
    const m = sent();
    const change = sut(given(configured(), m), failed(m), position(), { mode: 'replay' });
    expect(change.emails?.map((x) => x.status)).toEqual(['suppressed', 'suppressed']);
  });

  it('applied twice = applied once: one disable, one outbox event, one alert per address', () => {
    const m = sent();
    const { once, twice } = onceAndTwice(given(configured(), m), sut, failed(m));
    expect(twice).toEqual(once);
    expect(once.outboxEvents).toHaveLength(1);
    expect(once.communications).toEqual([[COMM, expect.objectContaining({ status: 'disabled' })]]);
  });
});
