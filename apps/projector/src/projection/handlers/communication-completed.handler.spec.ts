import { onCommunicationCompleted as sut } from './communication-completed.handler';
import { configured, event, given, LIVE, onceAndTwice, position, sent } from './handler.fixture';

const completed = () =>
  event('CommunicationCompleted', { batchId: 'b1', status: 'COMPLETE', messageCount: 1 });

describe('projection handler: CommunicationCompleted', () => {
  it('given an open batch, when the communication completes, then the batch is complete with its count', () => {
    const m = sent();
    const e = completed();
    const change = sut(given(configured(), m), e, position(), LIVE);
    expect(change.batches).toEqual([
      expect.objectContaining({
        status: 'complete',
        messageCount: 1,
        completedEventId: e.id,
        firstEventAt: m.occurredAt,
      }),
    ]);
  });

  it('applied twice = applied once', () => {
    const { once, twice } = onceAndTwice(given(configured(), sent()), sut, completed());
    expect(twice).toEqual(once);
  });
});
