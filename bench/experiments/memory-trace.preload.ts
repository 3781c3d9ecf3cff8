/**
 * Measuring aid, never used by a normal bench run (BENCH_EXPERIMENT=memory-trace): every 250 ms a
 * service writes its RSS and V8's view of its memory (heap used and committed, per space; external
 * and array buffers) to .local/bench-profiles/<service>-<pid>.memory.jsonl under its working
 * directory (.local/bench-build for `npm run bench`), so the parts of a peak RSS can be told apart
 * (issue 14, row 6; decision 0752).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';

const service = /apps\/(\w+)\//.exec(process.argv[1] ?? '')?.[1] ?? 'service';
const dir = path.resolve('.local', 'bench-profiles');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `${service}-${process.pid}.memory.jsonl`);
const MiB = (n: number) => Math.round((n / 1048576) * 10) / 10;
setInterval(() => {
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [s.space_name, [MiB(s.space_used_size), MiB(s.physical_space_size)]]),
  );
  const line = {
    t: Date.now(),
    rss: MiB(m.rss),
    heapUsed: MiB(m.heapUsed),
    heapTotal: MiB(m.heapTotal),
    external: MiB(m.external),
    arrayBuffers: MiB(m.arrayBuffers),
    spaces,
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}, 250).unref();
