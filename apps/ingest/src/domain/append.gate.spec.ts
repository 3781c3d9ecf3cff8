import { AppendGate } from './append.gate';
import { DedupWindow } from './dedup.window';

describe('AppendGate', () => {
  const newGate = () => new AppendGate(new DedupWindow(60_000, 100), () => 1_000);

  it('treats the same id twice within one append as a duplicate without waiting', async () => {
    const sut = newGate();
    const owner = {};
    expect(await sut.claim('a', owner)).toBe(true);
    expect(await sut.claim('a', owner)).toBe(false);
  });

  it('makes a second append wait for the first and then report a duplicate when it committed', async () => {
    const sut = newGate();
    await sut.claim('a', {});
    const second = sut.claim('a', {});
    sut.committed(['a']);
    await expect(second).resolves.toBe(false);
  });

  it('hands the id to a waiting append when the first one aborted', async () => {
    const sut = newGate();
    await sut.claim('a', {});
    const second = sut.claim('a', {});
    sut.aborted(['a']);
    await expect(second).resolves.toBe(true);
  });

  it('reports a committed id as a duplicate to later appends', async () => {
    const sut = newGate();
    await sut.claim('a', {});
    sut.committed(['a']);
    await expect(sut.claim('a', {})).resolves.toBe(false);
  });

  it('forgets ids of the replaced window but keeps those claimed by appends still running', async () => {
    const sut = newGate();
    await sut.claim('on-the-old-log', {});
    sut.committed(['on-the-old-log']);
    await sut.claim('running', {});
    sut.useWindow(new DedupWindow(60_000, 100));
    await expect(sut.claim('on-the-old-log', {})).resolves.toBe(true);
    const second = sut.claim('running', {});
    sut.committed(['running']);
    await expect(second).resolves.toBe(false);
  });
});
