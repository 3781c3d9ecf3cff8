import RequestQueue from 'kafkajs/src/network/requestQueue';
import './request-queue.patch';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const queue = () =>
  new RequestQueue({
    instrumentationEmitter: null,
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: 'spec:9092',
    logger: quiet,
    isConnected: () => true,
  });

describe("kafkajs's request queue, patched", () => {
  it('schedules no check while nothing is pending', () => {
    // given
    const sut = queue();
    try {
      // when: what kafkajs does after every answer
      sut.checkPendingRequests();
      // then
      expect(sut.throttleCheckTimeoutId).toBeNull();
    } finally {
      sut.destroy();
    }
  });

  it('still sends a request that had to wait, once the one in flight is answered', () => {
    // given: one request in flight (the limit), a second one waits
    const sut = queue();
    const sent: number[] = [];
    const request = (correlationId: number) => ({
      entry: { correlationId, apiKey: 3, apiName: 'Metadata', apiVersion: 6, resolve: () => undefined },
      expectResponse: true,
      sendRequest: () => sent.push(correlationId),
    });
    sut.push(request(1));
    sut.push(request(2));
    expect([sent, sut.pending.length]).toEqual([[1], 1]);
    // when: the first is answered
    (sut as unknown as { fulfillRequest(r: object): void }).fulfillRequest({
      correlationId: 1,
      payload: null,
      size: 0,
    });
    // then
    expect(sent).toEqual([1, 2]);
    sut.destroy();
  });
});
