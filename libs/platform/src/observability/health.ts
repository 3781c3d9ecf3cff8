/** One check of a readiness report: `up` or `down`, with whatever explains it. */
export interface HealthCheck {
  status: 'up' | 'down';
  /** Why it is down. */
  reason?: string;
  [detail: string]: unknown;
}

/**
 * The body of every service's `GET /health`, the same on 200 and 503. `checks` decide readiness;
 * `info` carries facts an operator wants beside them (owned partitions, catch-up) that do not.
 */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  service: string;
  checks: Record<string, HealthCheck>;
  info?: Record<string, unknown>;
}

/** The report of `checks`, and the names of those that are down (none: ready). */
export function healthReport(
  service: string,
  checks: Record<string, HealthCheck>,
  info?: Record<string, unknown>,
): { report: HealthReport; down: string[] } {
  const down = Object.keys(checks).filter((name) => checks[name].status !== 'up');
  return { report: { status: down.length === 0 ? 'ok' : 'unavailable', service, checks, info }, down };
}
