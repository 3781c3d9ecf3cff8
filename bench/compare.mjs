#!/usr/bin/env node
/**
 * `npm run bench -- compare <ref> [bench,bench...]`: the same benchmarks, back to back, against
 * the services built from <ref> and from the working tree, on the same broker and database, so
 * that the ratio of the two is measured under the same load (issue 14, decision 0741).
 *
 * <ref> is checked out into a temporary git worktree (.local/compare/<commit>, removed at the end
 * unless BENCH_KEEP=1), sharing this checkout's node_modules, and built there. The bench harness is
 * always this tree's: only the services differ (BENCH_DIST points the harness at the ref's build).
 * Runs alternate ref / tree, then tree / ref, … for BENCH_ROUNDS rounds (2), so a drift in the
 * machine's load hits both sides alike. Prints every figure line of both sides, then per figure
 * the median of each side and tree / ref. A figure line with several numbers is summarised by its
 * last, or by its p99 when it lists percentiles (p50 / p95 / p99 / max); a breakdown in shares (the
 * CPU split) not at all; read the runs printed above for the others. Bench sizes: the usual
 * BENCH_* variables.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [ref, list = 'dispatch-fast'] = process.argv.slice(2);
if (!ref) {
  process.stderr.write('usage: npm run bench -- compare <ref> [bench,bench...]\n');
  process.exit(64);
}
const benches = list.split(',').filter(Boolean);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

const git = (...args) => {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const run = (cmd, args, options) => {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...options });
  if (r.error) throw r.error;
  return r;
};

const commit = git('rev-parse', '--verify', `${ref}^{commit}`);
const tree = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'apps', 'libs') ? '+changes' : ''}`;
const checkout = path.join(root, '.local', 'compare', commit);

for (const app of ['ingest', 'dispatcher', 'projector']) {
  if (!existsSync(path.join(root, 'dist/apps', app, 'apps', app, 'src/main.js'))) {
    process.stderr.write(`dist for ${app} is missing: run npm run build first\n`);
    process.exit(1);
  }
}

if (!existsSync(path.join(checkout, 'dist'))) {
  process.stdout.write(`== building ${ref} (${commit.slice(0, 7)}) in ${path.relative(root, checkout)}\n`);
  if (!existsSync(checkout)) {
    mkdirSync(path.dirname(checkout), { recursive: true });
    git('worktree', 'add', '--detach', checkout, commit);
  }
  if (!existsSync(path.join(checkout, 'node_modules')))
    symlinkSync(path.join(root, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
  for (const app of ['ingest', 'dispatcher', 'projector']) {
    const r = run(process.execPath, [path.join(root, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', app], {
      cwd: checkout,
      stdio: 'inherit',
    });
    if (r.status !== 0) {
      process.stderr.write(`building ${app} at ${ref} failed\n`);
      process.exit(1);
    }
  }
}

const sides = [
  { name: `ref ${commit.slice(0, 7)}`, dist: path.join(checkout, 'dist') },
  { name: `tree ${tree}`, dist: path.join(root, 'dist') },
];
/** figures[bench][figure name][side index] = numbers, one per run */
const figures = {};
let compiled = false;
for (let round = 0; round < rounds; round += 1) {
  const order = round % 2 === 0 ? [0, 1] : [1, 0];
  for (const bench of benches) {
    for (const s of order) {
      const side = sides[s];
      process.stdout.write(`\n== round ${round + 1}/${rounds}, ${bench}, ${side.name}\n`);
      const r = run(process.execPath, [path.join(root, 'bench/run.mjs'), bench], {
        env: {
          ...process.env,
          BENCH_DIST: side.dist,
          BENCH_NO_COMPILE: compiled ? '1' : (process.env.BENCH_NO_COMPILE ?? ''),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
      });
      compiled = true;
      process.stdout.write(r.stdout);
      if (r.status !== 0) process.stdout.write(`(${bench} exited ${r.status} on ${side.name})\n`);
      for (const line of r.stdout.split('\n')) {
        // A figure line (bench/support/report.ts): two spaces, a padded name, then the value.
        const m = /^ {2}(\S.{45}) (.*)$/.exec(line);
        if (!m || line.startsWith('  TARGET')) continue;
        // The run's header ("2026-12-01T05:29:05Z — 2 cores ...") describes the machine, not a figure.
        if (/^\d{4}-\d\d-\d\dT/.test(m[1])) continue;
        // A breakdown in shares ("busy 91 %: dispatcher 39 %, ...") has no one figure to compare.
        if (/ %[:,]/.test(m[2])) continue;
        // The last number of the value is the rate or ratio (e.g. "12.0 s → 1,234 callbacks/s").
        const numbers = [...m[2].matchAll(/-?\d[\d,]*(?:\.\d+)?/g)].map((n) =>
          Number(n[0].replace(/,/g, '')),
        );
        if (numbers.length === 0) continue;
        const name = m[1].trim();
        // "latency p50 / p95 / p99 / max": the p99 is the figure the targets name.
        const p99 = name.split('/').findIndex((part) => part.includes('p99'));
        const value = p99 >= 0 && numbers.length > p99 ? numbers[p99] : numbers[numbers.length - 1];
        ((figures[bench] ??= {})[name] ??= [[], []])[s].push(value);
      }
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const show = (n) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 3 }) : String(n);
process.stdout.write(
  `\n=== compare: ${sides[0].name} vs ${sides[1].name}, ${rounds} rounds, medians (all runs) ===\n`,
);
for (const [bench, byName] of Object.entries(figures)) {
  process.stdout.write(`\n${bench}\n`);
  for (const [name, [a, b]] of Object.entries(byName)) {
    const ratio = median(b) / median(a);
    process.stdout.write(
      `  ${name.padEnd(46)} ref ${show(median(a)).padStart(9)}  tree ${show(median(b)).padStart(9)}  tree/ref ${show(ratio).padStart(6)}   [ref ${a.map(show).join(', ')} | tree ${b.map(show).join(', ')}]\n`,
    );
  }
}

if (process.env.BENCH_KEEP !== '1') {
  rmSync(checkout, { recursive: true, force: true });
  git('worktree', 'prune');
}
