import { HttpException, HttpStatus } from '@nestjs/common';
import { healthReport, type HealthCheck, type HealthReport } from '../observability/health';

/**
 * Returns the report when every check is up; otherwise throws it as a 503 that also carries the
 * `error` object every error response has, so a probe reads one shape and a client one error shape.
 */
export function readinessReport(
  service: string,
  checks: Record<string, HealthCheck>,
  info?: Record<string, unknown>,
): HealthReport {
  const { report, down } = healthReport(service, checks, info);
  if (down.length === 0) return report;
  throw new HttpException(
    { ...report, error: { code: 'unavailable', message: `not ready: ${down.join(', ')} down` } },
    HttpStatus.SERVICE_UNAVAILABLE,
  );
}
