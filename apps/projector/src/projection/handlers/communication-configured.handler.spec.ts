import { onCommunicationConfigured as sut } from './communication-configured.handler';
import { COMM, configured, given, LIVE, onceAndTwice, position } from './handler.fixture';

describe('projection handler: CommunicationConfigured', () => {
  it('given nothing, when a communication is configured, then it is active and keeps no credentials', () => {
    const e = configured();
    const change = sut(given(), e, position(), LIVE);
    expect(change.communications).toEqual([
      expect.objectContaining({
        communicationId: COMM,
        status: 'active',
        configEventId: e.id,
        callbacks: [
          {
            id: 'cb',
            event: 'MessageSent',
            method: 'GET',
            urlTemplate: 'https://app.example.test/${id}',
            hasCredentials: false,
            signed: false,
          },
        ],
      }),
    ]);
  });

  it('applied twice = applied once', () => {
    const { once, twice } = onceAndTwice(given(), sut, configured());
    expect(twice).toEqual(once);
    expect(once.communications).toHaveLength(1);
  });
});
