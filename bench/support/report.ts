/** Printing of figures and simple statistics; every bench prints through these. */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summary(values: number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  min: number;
} {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN,
    min: s[0] ?? NaN,
  };
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : String(n);

export function heading(title: string, lines: string[]): void {
  process.stdout.write(`\n=== ${title} ===\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

export function figure(name: string, value: string): void {
  process.stdout.write(`  ${name.padEnd(46)} ${value}\n`);
}

/** A target line: `TARGET met|NOT met  <what>: <measured> (target <target>)`. */
export function target(
  what: string,
  measured: number,
  goal: number,
  better: 'higher' | 'lower',
  unit = '',
): boolean {
  const met = better === 'higher' ? measured >= goal : measured <= goal;
  const sign = better === 'higher' ? '≥' : '≤';
  process.stdout.write(
    `  TARGET ${met ? 'met    ' : 'NOT met'} ${what}: ${fmt(measured, 1)}${unit} (target ${sign} ${fmt(goal)}${unit})\n`,
  );
  return met;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every `intervalMs` until it returns true; throws after `timeoutMs`. */
export async function until(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
