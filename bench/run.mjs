#!/usr/bin/env node
/**
 * `npm run bench -- <name>`: compiles the TypeScript (bench and the code it imports) into
 * .local/bench-build and runs bench/<name>.bench.ts with the path aliases resolved. The services
 * themselves run from their nest builds (npm run build). Names: see BENCHES below; `all` runs
 * every one in turn. Set BENCH_NO_COMPILE=1 to reuse the last compile.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.local', 'bench-build');
const BENCHES = [
  'ingest',
  'dispatch-fast',
  'dispatch-slow',
  'dispatch-scale',
  'dispatch-rebalance',
  'latency',
  'retry',
  'projector',
  'memory',
  'sender-raw',
  'head-of-line',
  'transaction-timing',
  'console',
  'smoke',
];
/** Not part of `all`: tools and extra measurements. */
const EXTRAS = [
  'sender-raw',
  'head-of-line',
  'transaction-timing',
  'dispatch-scale',
  'dispatch-rebalance',
  'console',
  'smoke',
];
const fileOf = (bench) =>
  bench === 'sender-raw'
    ? 'sender-raw.js'
    : bench === 'transaction-timing'
      ? 'experiments/transaction-timing.js'
      : `${bench}.bench.js`;

const name = process.argv[2];
if (name === 'compare') {
  const r = spawnSync(process.execPath, [path.join(root, 'bench/compare.mjs'), ...process.argv.slice(3)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}
if (!name || !(BENCHES.includes(name) || name === 'all')) {
  process.stderr.write(`usage: npm run bench -- <${BENCHES.join('|')}|all|compare <ref> [bench,...]>\n`);
  process.exit(64);
}

for (const app of ['ingest', 'dispatcher', 'projector']) {
  if (
    !['sender-raw', 'transaction-timing'].includes(name) &&
    !existsSync(path.join(root, 'dist/apps', app, 'apps', app, 'src/main.js'))
  ) {
    process.stderr.write(`dist for ${app} is missing: run npm run build first\n`);
    process.exit(1);
  }
}

if (process.env.BENCH_NO_COMPILE !== '1') {
  // Errors elsewhere in the repository must not block a bench: tsc still emits every file.
  const tsc = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', out],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    },
  );
  // Only the bench's own type errors are shown; the rest of the repository has its own checks.
  const mine = (tsc.stdout ?? '').split('\n').filter((l) => l.startsWith('bench/'));
  if (mine.length > 0) process.stderr.write(`${mine.join('\n')}\n`);
  if (!existsSync(path.join(out, 'bench/support/bench.main.js'))) {
    process.stderr.write(`compiling failed (tsc exit ${tsc.status})\n`);
    process.exit(1);
  }
}

/** Whether a path exists as anything, a dangling link included. */
const linked = (p) => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

// The reused test launcher finds the built services relative to its own compiled location
// (two folders up), which is .local/bench-build here: point that at the real dist.
// The same for the broker script the smoke run starts, and the broker jars it shares with npm test.
// BENCH_DIST (set by `compare`) points it at another checkout's build instead.
const dist = process.env.BENCH_DIST ? path.resolve(process.env.BENCH_DIST) : path.join(root, 'dist');
rmSync(path.join(out, 'dist'), { force: true });
symlinkSync(dist, path.join(out, 'dist'), 'dir');
for (const [link, target] of [
  ['scripts', 'scripts'],
  ['.local/kafka-libs', '.local/kafka-libs'],
]) {
  const at = path.join(out, link);
  mkdirSync(path.dirname(at), { recursive: true });
  if (!linked(at)) symlinkSync(path.join(root, target), at, 'dir');
}

const env = { ...process.env, TS_NODE_BASEURL: out };
for (const bench of name === 'all' ? BENCHES.filter((b) => !EXTRAS.includes(b)) : [name]) {
  const file = fileOf(bench);
  const r = spawnSync(process.execPath, ['-r', 'tsconfig-paths/register', path.join(out, 'bench', file)], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
