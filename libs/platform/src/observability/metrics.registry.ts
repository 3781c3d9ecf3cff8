import { collectDefaultMetrics, type Metric, Registry } from 'prom-client';

/** One Prometheus registry per process; apps register their counters on it. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

/**
 * The metric registered under `name`, created by `create` the first time: every app's metrics
 * class declares its metrics with it, so that creating the class again (tests start several
 * services in one process) reuses them instead of failing on a duplicate name.
 */
export function registeredOnce<M extends Metric>(name: string, create: () => M): M {
  return (metricsRegistry.getSingleMetric(name) as M | undefined) ?? create();
}
