import { attemptChart, consoleStatus, countsByConfig, groupInOrder, hostOf, shownUrl } from './console.views';

describe('what the console shows', () => {
  it('says "disable pending" while the disable is not on the log, whatever the outbox says otherwise', () => {
    expect(consoleStatus('disabled', true)).toBe('disable pending');
    expect(consoleStatus('disabled', false)).toBe('disabled');
    expect(consoleStatus('active', true)).toBe('active');
  });

  it('never shows the userinfo of a URL', () => {
    expect(shownUrl('https://user:secret@app.example.test/x?a=1')).toBe('https://app.example.test/x?a=1');
    expect(shownUrl(null)).toBe('(not rendered)');
    expect(shownUrl('not a url')).toBe('[unparsable url]');
  });

  it('groups failures by receiver host, groups in the order of their newest failure', () => {
    const sut = groupInOrder(
      ['https://b.test/1', 'https://a.test/1', 'https://b.test/2', 'bad', null].map((url) => ({ url })),
      (a) => hostOf(a.url),
    );
    expect(sut.map((g) => [g.key, g.items.length])).toEqual([
      ['b.test', 2],
      ['a.test', 1],
      ['(unparsable URL)', 1],
      ['(no URL)', 1],
    ]);
  });

  it('counts callbacks by configured callback and state, configured ones first', () => {
    const sut = countsByConfig(
      ['sent-cb', 'done-cb'],
      [
        { callbackConfigId: 'sent-cb', state: 'succeeded', n: 5 },
        { callbackConfigId: 'sent-cb', state: 'failed', n: 1 },
        { callbackConfigId: 'old-cb', state: 'cancelled', n: 2 },
      ],
    );
    expect(sut).toEqual([
      { callbackConfigId: 'sent-cb', pending: 0, succeeded: 5, failed: 1, cancelled: 0, total: 6 },
      { callbackConfigId: 'done-cb', pending: 0, succeeded: 0, failed: 0, cancelled: 0, total: 0 },
      { callbackConfigId: 'old-cb', pending: 0, succeeded: 0, failed: 0, cancelled: 2, total: 2 },
    ]);
  });
});

describe('the attempt chart', () => {
  const at = (s: number) => new Date(Date.parse('2026-11-30T10:00:00Z') + s * 1000);

  it('has no chart without attempts', () => {
    expect(attemptChart([])).toBeNull();
  });

  it('draws the success rate per time slice as bars and the mean latency as a line', () => {
    const sut = attemptChart(
      [
        { startedAt: at(0), durationMs: 10, succeeded: true },
        { startedAt: at(1), durationMs: 30, succeeded: false },
        { startedAt: at(99), durationMs: 100, succeeded: true },
      ],
      2,
      200,
      100,
    )!;
    expect(sut.attempts).toBe(3);
    expect(sut.bars).toEqual([
      { x: 1, y: 50, height: 50, width: 98, label: '50% of 2 succeeded, mean 20 ms' },
      { x: 101, y: 0, height: 100, width: 98, label: '100% of 1 succeeded, mean 100 ms' },
    ]);
    expect(sut.latency).toBe('50,80 150,0');
    expect(sut.maxLatencyMs).toBe(100);
  });

  it('puts attempts of one instant into one bar', () => {
    const sut = attemptChart([{ startedAt: at(0), durationMs: 5, succeeded: false }], 24)!;
    expect(sut.bars).toHaveLength(1);
    expect(sut.bars[0].height).toBe(0);
  });
});
