import { nestsDeeperThan } from './json.depth';

const nested = (levels: number): unknown => {
  let v: unknown = [];
  for (let i = 1; i < levels; i++) v = i % 2 ? { k: v } : [v];
  return v;
};

describe('nestsDeeperThan', () => {
  it('counts the value itself as level 1, objects and arrays alike', () => {
    expect(nestsDeeperThan(nested(3), 3)).toBe(false);
    expect(nestsDeeperThan(nested(4), 3)).toBe(true);
  });

  it('treats scalars as no level at all', () => {
    expect(nestsDeeperThan('text', 0)).toBe(false);
    expect(nestsDeeperThan({ a: 1, b: 'x', c: null }, 1)).toBe(false);
  });

  it('finds a deep branch among shallow ones', () => {
    expect(nestsDeeperThan({ a: [], b: { c: { d: [] } } }, 3)).toBe(true);
  });

  it('walks a value far deeper than the call stack allows without overflowing', () => {
    const hostile = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    expect(nestsDeeperThan(hostile, 32)).toBe(true);
  });
});
