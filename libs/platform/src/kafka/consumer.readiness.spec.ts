import { ConsumerReadiness } from './consumer.readiness';

describe('ConsumerReadiness', () => {
  const staleAfterMs = 30_000;

  it('is down until the consumer has joined its group', () => {
    // given
    const sut = new ConsumerReadiness(staleAfterMs);
    // when
    sut.answered(1_000);
    // then
    expect(sut.check(1_000)).toEqual({ status: 'down', reason: 'starting' });
  });

  it('is up while the broker keeps answering the joined consumer', () => {
    // given
    const sut = new ConsumerReadiness(staleAfterMs);
    sut.joined(1_000);
    // when
    sut.answered(25_000);
    // then
    expect(sut.check(50_000)).toEqual({ status: 'up', lastAnswerMs: 25_000 });
  });

  it('is down once the broker has been silent for longer than the session timeout', () => {
    // given
    const sut = new ConsumerReadiness(staleAfterMs);
    sut.joined(1_000);
    // when
    const check = sut.check(1_000 + staleAfterMs + 1);
    // then
    expect(check).toEqual({ status: 'down', reason: 'no answer from Kafka for 30001 ms' });
  });

  it('is down from a crash until the restarted consumer joins again', () => {
    // given
    const sut = new ConsumerReadiness(staleAfterMs);
    sut.joined(1_000);
    // when
    sut.crashed('KafkaJSConnectionError');
    // then
    expect(sut.check(2_000)).toEqual({ status: 'down', reason: 'crashed (KafkaJSConnectionError)' });
    sut.joined(3_000);
    expect(sut.check(3_000)).toEqual({ status: 'up', lastAnswerMs: 0 });
  });

  it('is down once stopped, whatever came before', () => {
    // given
    const sut = new ConsumerReadiness(staleAfterMs);
    sut.joined(1_000);
    // when
    sut.stopped();
    // then
    expect(sut.check(1_000)).toEqual({ status: 'down', reason: 'stopped' });
  });

  it('never moves the last answer back in time', () => {
    // given
    const sut = new ConsumerReadiness(staleAfterMs);
    sut.joined(10_000);
    // when: a late event carries an earlier time
    sut.answered(5_000);
    // then
    expect(sut.check(10_000)).toEqual({ status: 'up', lastAnswerMs: 0 });
  });
});
