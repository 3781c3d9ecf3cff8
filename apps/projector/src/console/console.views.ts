import { redactUrl } from '@app/platform/secrets/redact';

/**
 * Pure shaping of projection data into what the console's templates show. No I/O, no framework:
 * everything here is covered by console.views.spec.ts.
 */

export type ConsoleStatus = 'active' | 'disabled' | 'disable pending';
export const CONSOLE_STATUSES = ['disabled', 'disable-pending', 'active'] as const;
export type StatusFilter = (typeof CONSOLE_STATUSES)[number];

/** The status an operator sees: "disable pending" while the disable is not on the log yet. */
export function consoleStatus(status: 'active' | 'disabled', disablePending: boolean): ConsoleStatus {
  if (status === 'active') return 'active';
  return disablePending ? 'disable pending' : 'disabled';
}

/** A URL as the console shows it: userinfo removed, anything unparsable said so. */
export const shownUrl = (url: string | null): string => (url === null ? '(not rendered)' : redactUrl(url));

/** The receiver host of an attempt's URL, the unit on-call groups failures by. */
export function hostOf(url: string | null): string {
  if (url === null) return '(no URL)';
  try {
    return new URL(url).host || '(no host)';
  } catch {
    return '(unparsable URL)';
  }
}

/** Items grouped by a key, groups in the order their first item appears (newest first in, newest first out). */
export function groupInOrder<T>(items: T[], keyOf: (t: T) => string): { key: string; items: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const g = groups.get(key);
    if (g) g.push(item);
    else groups.set(key, [item]);
  }
  return [...groups].map(([key, grouped]) => ({ key, items: grouped }));
}

/** One attempt as the chart needs it. */
export interface ChartAttempt {
  startedAt: Date;
  durationMs: number;
  succeeded: boolean;
}

export interface ChartBar {
  x: number;
  /** Bar of the success rate: top and height in chart units. */
  y: number;
  height: number;
  width: number;
  label: string;
}

export interface AttemptChart {
  width: number;
  height: number;
  bars: ChartBar[];
  /** `x,y x,y …` of the mean latency per bucket, for an SVG polyline. */
  latency: string;
  maxLatencyMs: number;
  from: string;
  to: string;
  attempts: number;
}

/**
 * Success rate (bars) and mean attempt latency (line) over time, in `buckets` equal time slices
 * between the first and the last attempt given. Only numbers reach the SVG: nothing to escape.
 */
export function attemptChart(
  attempts: ChartAttempt[],
  buckets = 24,
  width = 600,
  height = 120,
): AttemptChart | null {
  if (attempts.length === 0) return null;
  const times = attempts.map((a) => a.startedAt.getTime());
  const from = Math.min(...times);
  const to = Math.max(...times);
  const span = Math.max(1, to - from + 1);
  const slots = Array.from({ length: buckets }, () => ({ n: 0, ok: 0, ms: 0 }));
  for (const a of attempts) {
    const slot = slots[Math.min(buckets - 1, Math.floor(((a.startedAt.getTime() - from) / span) * buckets))];
    slot.n += 1;
    slot.ok += a.succeeded ? 1 : 0;
    slot.ms += a.durationMs;
  }
  const w = width / buckets;
  const maxLatencyMs = Math.max(1, ...slots.map((s) => (s.n ? s.ms / s.n : 0)));
  const round = (v: number) => Math.round(v * 10) / 10;
  const bars: ChartBar[] = [];
  const points: string[] = [];
  slots.forEach((s, i) => {
    if (s.n === 0) return;
    const rate = s.ok / s.n;
    const mean = s.ms / s.n;
    bars.push({
      x: round(i * w + 1),
      y: round(height - rate * height),
      height: round(rate * height),
      width: round(w - 2),
      label: `${Math.round(rate * 100)}% of ${s.n} succeeded, mean ${Math.round(mean)} ms`,
    });
    points.push(`${round(i * w + w / 2)},${round(height - (mean / maxLatencyMs) * height)}`);
  });
  return {
    width,
    height,
    bars,
    latency: points.join(' '),
    maxLatencyMs: Math.round(maxLatencyMs),
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    attempts: attempts.length,
  };
}

/** Counts by state of each configured callback (the table `npm run demo` prints), config order. */
export function countsByConfig(
  configIds: string[],
  rows: { callbackConfigId: string; state: string; n: number }[],
): {
  callbackConfigId: string;
  pending: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  total: number;
}[] {
  const ids = [...configIds, ...rows.map((r) => r.callbackConfigId).filter((id) => !configIds.includes(id))];
  return [...new Set(ids)].map((id) => {
    const of = (state: string) =>
      rows.filter((r) => r.callbackConfigId === id && r.state === state).reduce((s, r) => s + r.n, 0);
    const c = {
      pending: of('pending'),
      succeeded: of('succeeded'),
      failed: of('failed'),
      cancelled: of('cancelled'),
    };
    return { callbackConfigId: id, ...c, total: c.pending + c.succeeded + c.failed + c.cancelled };
  });
}

/** Member attributes as name/value lines; non-string values as JSON text (escaped by the template). */
export const attributeList = (attrs: Record<string, unknown> | null | undefined) =>
  Object.entries(attrs ?? {}).map(([name, value]) => ({
    name,
    value: typeof value === 'string' ? value : JSON.stringify(value),
  }));
