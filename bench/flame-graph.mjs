#!/usr/bin/env node
/**
 * `node bench/flame-graph.mjs <in.cpuprofile> <out.svg> [title]`: a flame graph of a V8 CPU
 * profile (what BENCH_PROFILE records) as a self-contained SVG, no dependencies. Each box is a
 * call path; its width is the share of samples spent in it and below it; hovering shows the
 * function, file and share. Colours: our code (apps/, libs/) orange, dependencies (node_modules)
 * blue, Node's own JavaScript grey-green, V8 and the runtime ((garbage collector), (program))
 * red, (idle) pale. Paths narrower than 0.1 % are left out. The top line says where the time
 * went by category, self time summed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [input, output, title = path.basename(input ?? '')] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node bench/flame-graph.mjs <in.cpuprofile> <out.svg> [title]\n');
  process.exit(64);
}
const profile = JSON.parse(readFileSync(input, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
// Samples per node from the sample list (hitCount is not always filled in).
const self = new Map();
for (const id of profile.samples ?? []) self.set(id, (self.get(id) ?? 0) + 1);
const selfOf = (n) => self.get(n.id) ?? n.hitCount ?? 0;
const totals = new Map();
const total = (n) => {
  if (totals.has(n.id)) return totals.get(n.id);
  let t = selfOf(n);
  for (const c of n.children ?? []) t += total(byId.get(c));
  totals.set(n.id, t);
  return t;
};
const rootNode = profile.nodes[0];
const all = total(rootNode);
const seconds = ((profile.endTime - profile.startTime) / 1e6).toFixed(1);

const where = (frame) => {
  const url = frame.url ?? '';
  const name = frame.functionName || '(anonymous)';
  if (!url) return { kind: name === '(idle)' ? 'idle' : 'runtime', name, file: '' };
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) return { kind: 'deps', name, file: file.slice(nm + 13) };
  if (file.startsWith('node:')) return { kind: 'node', name, file };
  const own = /(?:^|\/)(apps|libs)\/.*$/.exec(file);
  return { kind: own ? 'ours' : 'node', name, file: own ? own[0].replace(/^\//, '') : path.basename(file) };
};
const PALETTE = {
  ours: [28, 40],
  deps: [205, 215],
  node: [95, 110],
  runtime: [0, 10],
  idle: [50, 55],
};
const colour = (kind, name) => {
  const [lo, hi] = PALETTE[kind];
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const light = kind === 'idle' ? 90 : 60 + (h % 15);
  return `hsl(${lo + (h % (hi - lo + 1))},${kind === 'idle' ? 20 : 70}%,${light}%)`;
};
const esc = (s) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

const WIDTH = 1600;
const ROW = 16;
const TOP = 56;
const boxes = [];
let depthMax = 0;
const minSamples = all * 0.001;
const walk = (n, x, depth) => {
  const t = total(n);
  if (t < minSamples) return;
  const w = where(n.callFrame);
  if (n !== rootNode) boxes.push({ x, depth, t, ...w });
  depthMax = Math.max(depthMax, depth);
  let cx = x;
  // Widest first, so the eye finds the heavy paths on the left.
  const kids = (n.children ?? []).map((c) => byId.get(c)).sort((a, b) => total(b) - total(a));
  for (const k of kids) {
    walk(k, cx, depth + 1);
    cx += total(k);
  }
};
walk(rootNode, 0, 0);

const byKind = {};
for (const n of profile.nodes) {
  const k = where(n.callFrame).kind;
  byKind[k] = (byKind[k] ?? 0) + selfOf(n);
}
const pct = (v) => `${((100 * v) / all).toFixed(1)} %`;
const LABELS = {
  ours: 'our code',
  deps: 'dependencies',
  node: 'Node',
  runtime: 'V8/GC/program',
  idle: 'idle',
};
const legend = Object.entries(byKind)
  .sort((a, b) => b[1] - a[1])
  .map(([k, v]) => `${LABELS[k]} ${pct(v)}`)
  .join(' · ');

const height = TOP + depthMax * ROW + 10;
const scale = WIDTH / all;
const out = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="monospace" font-size="11">`,
  `<rect width="100%" height="100%" fill="#fff"/>`,
  `<text x="4" y="16" font-size="14">${esc(title)}</text>`,
  `<text x="4" y="34">${esc(`${all} samples over ${seconds} s; self time: ${legend}`)}</text>`,
];
for (const b of boxes) {
  const x = b.x * scale;
  const w = b.t * scale;
  const y = TOP + (b.depth - 1) * ROW;
  const tip = `${b.name} ${b.file} — ${pct(b.t)}`;
  out.push(
    `<g><title>${esc(tip)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(w - 0.3, 0.3).toFixed(1)}" height="${ROW - 1}" fill="${colour(b.kind, b.name)}"/>` +
      (w > 40
        ? `<text x="${(x + 2).toFixed(1)}" y="${y + 11}">${esc(b.name.slice(0, Math.floor((w - 4) / 6.6)))}</text>`
        : '') +
      '</g>',
  );
}
out.push('</svg>');
writeFileSync(output, `${out.join('\n')}\n`);
process.stdout.write(`${output}: ${boxes.length} boxes; ${legend}\n`);
