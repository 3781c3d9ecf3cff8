import { collectDefaultMetrics, Registry } from 'prom-client';

/** One Prometheus registry per process; apps register their counters on it. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
