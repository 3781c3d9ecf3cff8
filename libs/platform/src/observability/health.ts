import { HttpException, HttpStatus } from '@nestjs/common';

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

/**
 * Returns the report when every check is up; otherwise throws it as a 503 that also carries the
 * `error` object every error response has, so a probe reads one shape and a client one error shape.
 */
export function readinessReport(
  service: string,
  checks: Record<string, HealthCheck>,
  info?: Record<string, unknown>,
): HealthReport {
  const down = Object.keys(checks).filter((name) => checks[name].status !== 'up');
  const report: HealthReport = { status: down.length === 0 ? 'ok' : 'unavailable', service, checks, info };
  if (down.length === 0) return report;
  throw new HttpException(
    { ...report, error: { code: 'unavailable', message: `not ready: ${down.join(', ')} down` } },
    HttpStatus.SERVICE_UNAVAILABLE,
  );
}
