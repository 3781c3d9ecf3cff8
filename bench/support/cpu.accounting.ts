/**
 * Where the machine's CPU went during a measured span: user + system time of every process on the
 * machine, read from /proc before and after, grouped by what the process is (the broker, Postgres,
 * each service, the receiver, the bench itself). On two shared cores a service can only be as fast
 * as the share the others leave it, so the end-to-end figures are read together with this split.
 * Processes that start and end inside the span are not seen (none of the measured ones do).
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

type Snapshot = { at: number; ticks: Map<number, { group: string; ticks: number }> };

function groupOf(pid: number, cmdline: string): string {
  if (pid === process.pid) return 'bench harness';
  if (cmdline.includes('kafka.Kafka') || cmdline.includes('kafka-server')) return 'kafka broker';
  if (cmdline.startsWith('postgres')) return 'postgres';
  for (const app of ['dispatcher', 'projector', 'ingest']) if (cmdline.includes(`apps/${app}/`)) return app;
  if (cmdline.includes('receiver')) return 'receiver';
  return 'other';
}

function read(): Snapshot {
  const ticks = new Map<number, { group: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const used = Number(fields[11]) + Number(fields[12]); // utime, stime
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      ticks.set(pid, { group: groupOf(pid, cmdline), ticks: used });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return { at: Date.now(), ticks };
}

export interface CpuSplit {
  seconds: number;
  /** CPU-seconds per group over the span, largest first. */
  groups: Array<{ group: string; cpuSeconds: number }>;
  /** Share of the machine (wall time × cores) that was busy. */
  busy: number;
}

/** Starts the accounting; call the returned function at the end of the span. */
export function startCpuAccounting(): () => CpuSplit {
  const before = read();
  return () => {
    const after = read();
    const seconds = (after.at - before.at) / 1000;
    const sums = new Map<string, number>();
    for (const [pid, now] of after.ticks) {
      const used = now.ticks - (before.ticks.get(pid)?.ticks ?? 0);
      sums.set(now.group, (sums.get(now.group) ?? 0) + used / TICKS_PER_SECOND);
    }
    const groups = [...sums]
      .map(([group, cpuSeconds]) => ({ group, cpuSeconds }))
      .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
    const total = groups.reduce((s, g) => s + g.cpuSeconds, 0);
    return { seconds, groups, busy: total / (seconds * os.cpus().length) };
  };
}

/** One line: `busy 93 %: kafka broker 31 %, postgres 22 %, …` (shares of the machine). */
export function describeCpuSplit(split: CpuSplit): string {
  const capacity = split.seconds * os.cpus().length;
  const pct = (s: number) => `${Math.round((100 * s) / capacity)} %`;
  return `busy ${Math.round(100 * split.busy)} %: ${split.groups
    .filter((g) => g.cpuSeconds > 0)
    .map((g) => `${g.group} ${pct(g.cpuSeconds)}`)
    .join(', ')}`;
}

/** CPU-seconds one group used over the span (0 when it did not run). */
export const cpuOf = (split: CpuSplit, group: string): number =>
  split.groups.find((g) => g.group === group)?.cpuSeconds ?? 0;

/** CPU-microseconds one group used per unit of work (event, callback) over the span. */
export const cpuMicrosPer = (split: CpuSplit, group: string, units: number): number =>
  (cpuOf(split, group) * 1e6) / units;
