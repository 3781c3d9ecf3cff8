import { callbackIdOf } from '@app/contracts';
import { configured, event, failed, given, LIVE, onceAndTwice, position, sent } from './handler.fixture';
import { onMessageEvent as sut } from './message.handler';

describe('projection handler: message events', () => {
  it('given an active communication, when a message is sent, then the message, its batch and a pending callback appear', () => {
    const m = sent();
    const change = sut(given(configured()), m, position(), LIVE);
    expect(change.messages).toEqual([
      expect.objectContaining({ messageId: m.data.messageId, sentAt: m.occurredAt }),
    ]);
    expect(change.batches).toEqual([expect.objectContaining({ batchId: 'b1', status: 'open' })]);
    expect(change.callbacks).toEqual([
      expect.objectContaining({ callbackId: callbackIdOf(m.id, 'cb'), state: 'pending', attempts: 0 }),
    ]);
    expect(change.triggerEvents?.map((t) => t.eventId)).toEqual([m.id]);
  });

  it('given a disabled communication, when a message is sent, then no callback opens but the trigger is kept for resends', () => {
    const m1 = sent();
    const change = sut(given(configured(), m1, failed(m1)), sent(), position(), LIVE);
    expect(change.callbacks).toBeUndefined();
    expect(change.triggerEvents).toHaveLength(1);
  });

  it('given a delivered message, when an older status arrives, then the history has it but the latest status stays', () => {
    const m = sent();
    const status = (s: 'sent' | 'delivered', occurredAt: string) => ({
      ...event('MessageDeliveryStatusChanged', {
        messageId: m.data.messageId,
        batchId: 'b1',
        memberAttributes: {},
        channel: 'sms',
        status: s,
        previousStatus: null,
        errorCode: null,
      }),
      occurredAt,
    });
    const db = given(configured(), m, status('delivered', '2026-11-03T10:00:00.000Z'));
    const change = sut(db, status('sent', '2026-11-03T09:59:00.000Z'), position(), LIVE);
    expect(change.messages).toEqual([expect.objectContaining({ deliveryStatus: 'delivered' })]);
    expect(change.deliveryStatuses).toEqual([expect.objectContaining({ status: 'sent' })]);
  });

  it('applied twice = applied once', () => {
    const { once, twice } = onceAndTwice(given(configured()), sut, sent());
    expect(twice).toEqual(once);
    expect(once.callbacks).toHaveLength(1);
  });
});
