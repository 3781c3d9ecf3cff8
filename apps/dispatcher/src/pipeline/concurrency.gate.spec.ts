import { ConcurrencyGate } from './concurrency.gate';

const tick = () => new Promise((r) => setImmediate(r));

describe('concurrency gate', () => {
  it('bounds requests per host without holding up another host', async () => {
    const sut = new ConcurrencyGate(10, 2);
    const release: (() => void)[] = [];
    const started: string[] = [];
    const task = (name: string) => () => {
      started.push(name);
      return new Promise<void>((r) => release.push(r));
    };
    const slow = [1, 2, 3].map((i) => sut.run('slow:1', task(`slow${i}`)));
    const fast = sut.run('fast:1', task('fast'));
    await tick();
    expect(started).toEqual(['slow1', 'slow2', 'fast']);
    release.forEach((r) => r());
    await tick();
    expect(started).toContain('slow3');
    release.forEach((r) => r());
    await Promise.all([...slow, fast]);
  });

  it('bounds requests overall', async () => {
    const sut = new ConcurrencyGate(1, 5);
    let running = 0;
    let peak = 0;
    const task = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await tick();
      running -= 1;
    };
    await Promise.all(['a', 'b', 'c'].map((h) => sut.run(h, task)));
    expect(peak).toBe(1);
  });
});
