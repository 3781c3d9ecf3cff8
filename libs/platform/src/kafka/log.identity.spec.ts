import { describeLog, logMarker, sameLog } from './log.identity';

describe('log identity', () => {
  const log = {
    topic: 'callbacks.log',
    clusterId: '7bFgdkPBQKuBawGj2KG_sw',
    topicId: 'jRj9OSGaTrGu5_Mr0sY9Og',
  };

  it('is the same log only when both the cluster id and the topic id match', () => {
    expect(sameLog(log, { ...log })).toBe(true);
    expect(sameLog(log, { ...log, topicId: 'Xk2aOSGaTrGu5_Mr0sY9Og' })).toBe(false);
    expect(sameLog(log, { ...log, clusterId: 'another-cluster-id-000' })).toBe(false);
  });

  it('compares ids only: the topic name is for people', () => {
    const sameIdsOtherName = { ...log, topic: 'alias' };
    expect(sameLog(log, sameIdsOtherName)).toBe(true);
  });

  it('writes a compact marker for records and a readable line for people', () => {
    expect(logMarker(log)).toBe('7bFgdkPBQKuBawGj2KG_sw/jRj9OSGaTrGu5_Mr0sY9Og');
    expect(describeLog(log)).toBe(
      'callbacks.log (cluster 7bFgdkPBQKuBawGj2KG_sw, topic id jRj9OSGaTrGu5_Mr0sY9Og)',
    );
  });
});
