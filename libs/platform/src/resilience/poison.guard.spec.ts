import type { Failure, GuardedUnit } from './poison.guard';
import { PoisonGuard } from './poison.guard';
import { installLoggers } from '../logging/context.logger';

const poison = () =>
  Object.assign(new Error('bad record'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE' });
const outage = () => Object.assign(new Error('down'), { name: 'KafkaJSConnectionError' });
const fast = { batchAttempts: 3, recordAttempts: 2, firstPauseMs: 1, maxPauseMs: 1 };

/** A consumer over numbered records: `fails(n)` says what processing record n throws, if anything. */
function consumer(records: number[], fails: (n: number) => Error | undefined) {
  const committed: number[] = [];
  const parked: { record: number; failure: Failure }[] = [];
  const calls: number[][] = [];
  const unit: GuardedUnit<number> = {
    records,
    process: async (batch) => {
      calls.push([...batch]);
      for (const n of batch) {
        const error = fails(n);
        if (error) throw error;
      }
      committed.push(...batch);
    },
    park: async (record, failure) => void parked.push({ record, failure }),
    describe: (n) => `record ${n}`,
    active: () => true,
    pause: async () => undefined,
  };
  return { unit, committed, parked, calls };
}

describe('PoisonGuard', () => {
  const quiet = () => undefined;
  beforeAll(() =>
    installLoggers(() => ({
      fatal: quiet,
      error: quiet,
      warn: quiet,
      log: quiet,
      debug: quiet,
      verbose: quiet,
    })),
  );

  it('processes a healthy batch once, as one unit', async () => {
    const sut = consumer([1, 2, 3], () => undefined);
    await new PoisonGuard('ingest', { policy: fast }).run(sut.unit);
    expect(sut.calls).toEqual([[1, 2, 3]]);
  });

  it('given one record that always fails, retries the batch, isolates, parks that record and commits the rest', async () => {
    const sut = consumer([1, 2, 3, 4], (n) => (n === 3 ? poison() : undefined));
    await new PoisonGuard('ingest', { policy: fast }).run(sut.unit);
    expect(sut.calls.slice(0, 3)).toEqual([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ]);
    expect(sut.committed).toEqual([1, 2, 4]);
    expect(sut.parked).toEqual([
      {
        record: 3,
        failure: {
          class: 'deterministic',
          code: 'MESSAGE_TOO_LARGE',
          attempts: 2,
          message: expect.stringContaining('bad record'),
        },
      },
    ]);
  });

  it('given a batch that fails once and then succeeds, parks nothing', async () => {
    let first = true;
    const sut = consumer([1, 2], () => (first ? ((first = false), poison()) : undefined));
    await new PoisonGuard('ingest', { policy: fast }).run(sut.unit);
    expect(sut.committed).toEqual([1, 2]);
    expect(sut.parked).toEqual([]);
  });

  it('given a transient failure, hands it back at once (the consumer waits), parking nothing', async () => {
    const sut = consumer([1, 2], () => outage());
    await expect(new PoisonGuard('ingest', { policy: fast }).run(sut.unit)).rejects.toMatchObject({
      name: 'KafkaJSConnectionError',
    });
    expect(sut.calls).toHaveLength(1);
    expect(sut.parked).toEqual([]);
  });

  it('given a store that is down, treats even a "deterministic" error as transient', async () => {
    const sut = consumer([1], () => new TypeError('connection terminated'));
    const guard = new PoisonGuard('ingest', { policy: fast, storeUp: async () => false });
    await expect(guard.run(sut.unit)).rejects.toBeInstanceOf(TypeError);
    expect(sut.parked).toEqual([]);
  });

  it('given the consumer stops meanwhile, leaves the rest unprocessed and parks nothing', async () => {
    let active = true;
    const sut = consumer([1, 2], () => ((active = false), poison()));
    sut.unit.active = () => active;
    await expect(new PoisonGuard('ingest', { policy: fast }).run(sut.unit)).rejects.toThrow('bad record');
    expect(sut.parked).toEqual([]);
  });
});
