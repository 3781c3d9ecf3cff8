import { takeOverPatiently, type TakeOverRetry } from './take-over.retry';

const noSleep = () => Promise.resolve();

function retry(overrides: Partial<TakeOverRetry> = {}): TakeOverRetry & { failures: number[] } {
  const failures: number[] = [];
  return {
    tries: 5,
    pauseMs: 1000,
    current: () => true,
    failed: (_e, n) => failures.push(n),
    failures,
    ...overrides,
  };
}

describe('takeOverPatiently', () => {
  test('given a take-over that fails twice, when the assignment stands, then it is tried until it succeeds', async () => {
    let calls = 0;
    const r = retry();
    const ok = await takeOverPatiently(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('CONCURRENT_TRANSACTIONS');
      },
      r,
      noSleep,
    );
    expect({ ok, calls, failures: r.failures }).toEqual({ ok: true, calls: 3, failures: [1, 2] });
  });

  test('given a failing take-over, when the assignment changes, then it stops trying', async () => {
    let calls = 0;
    let assigned = true;
    const ok = await takeOverPatiently(
      async () => {
        calls += 1;
        assigned = false; // a rebalance came meanwhile
        throw new Error('fenced');
      },
      retry({ current: () => assigned }),
      noSleep,
    );
    expect({ ok, calls }).toEqual({ ok: false, calls: 1 });
  });

  test('given a take-over that always fails, then it stops after `tries`, the last failure flagged', async () => {
    const lasts: boolean[] = [];
    const ok = await takeOverPatiently(
      () => Promise.reject(new Error('down')),
      retry({ tries: 3, failed: (_e, _n, last) => lasts.push(last) }),
      noSleep,
    );
    expect({ ok, lasts }).toEqual({ ok: false, lasts: [false, false, true] });
  });

  test('given the assignment is gone before the first try, then nothing is tried', async () => {
    let calls = 0;
    const ok = await takeOverPatiently(
      async () => void (calls += 1),
      retry({ current: () => false }),
      noSleep,
    );
    expect({ ok, calls }).toEqual({ ok: false, calls: 0 });
  });
});
