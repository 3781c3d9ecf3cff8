import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '@app/platform';
import { HostLabels } from './host-label';

/**
 * The dispatcher's Prometheus metrics. Created once per process (tests start several dispatchers
 * in one process, and a registry refuses a second metric of the same name). Labels never carry a
 * URL or credential, and are closed sets (outcome, error kind, topic role) — except the receiver's
 * host of `attemptsByHost`, bounded by `HostLabels` (decision 0681).
 */
export interface DispatcherMetrics {
  attempts: Counter<'outcome' | 'error_kind'>;
  attemptsByHost: Counter<'host' | 'outcome'>;
  hostLabels: HostLabels;
  attemptDuration: Histogram<'outcome'>;
  cancelled: Counter;
  undecodable: Counter<'role'>;
  batches: Counter<'role'>;
  handedOff: Counter<'role'>;
  retryLateness: Histogram;
  retryScheduled: Gauge;
  retryReadPaused: Counter;
  foreign: Counter<'role'>;
}

let metrics: DispatcherMetrics | undefined;

export function dispatcherMetrics(): DispatcherMetrics {
  metrics ??= {
    attempts: new Counter({
      name: 'dispatcher_callback_attempts_total',
      help: 'Callback attempts by outcome (succeeded, retrying, failed) and error kind (none when it succeeded)',
      labelNames: ['outcome', 'error_kind'],
      registers: [metricsRegistry],
    }),
    attemptsByHost: new Counter({
      name: 'dispatcher_callback_attempts_by_host_total',
      help: 'Callback attempts by receiver host (the first 100 hosts; later ones as "other") and outcome',
      labelNames: ['host', 'outcome'],
      registers: [metricsRegistry],
    }),
    hostLabels: new HostLabels(),
    attemptDuration: new Histogram({
      name: 'dispatcher_callback_attempt_duration_seconds',
      help: 'Duration of callback attempts, from the start of the request to the end of the response',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [metricsRegistry],
    }),
    cancelled: new Counter({
      name: 'dispatcher_callbacks_cancelled_total',
      help: 'Callbacks not attempted because their communication was disabled',
      registers: [metricsRegistry],
    }),
    undecodable: new Counter({
      name: 'dispatcher_undecodable_records_total',
      help: 'Records skipped because they could not be decoded (log = event log, retry = retry topic)',
      labelNames: ['role'],
      registers: [metricsRegistry],
    }),
    batches: new Counter({
      name: 'dispatcher_batches_committed_total',
      help: 'Kafka transactions committed, by input (log or retry)',
      labelNames: ['role'],
      registers: [metricsRegistry],
    }),
    handedOff: new Counter({
      name: 'dispatcher_attempts_handed_off_total',
      help: 'Attempts still running when their batch stopped waiting, handed to the retry topic (by input)',
      labelNames: ['role'],
      registers: [metricsRegistry],
    }),
    retryLateness: new Histogram({
      name: 'dispatcher_retry_lateness_seconds',
      help: 'How long after its due time a retry record fired (decision 0620: within 1 s)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [metricsRegistry],
    }),
    retryScheduled: new Gauge({
      name: 'dispatcher_retry_scheduled_records',
      help: 'Retry records read and waiting for their due time (or their transaction) in this process',
      registers: [metricsRegistry],
    }),
    retryReadPaused: new Counter({
      name: 'dispatcher_retry_read_paused_total',
      help: 'Pauses of the retry consumer because the schedules hold RETRY_BUFFER_MB (retries may fire late)',
      registers: [metricsRegistry],
    }),
    foreign: new Counter({
      name: 'dispatcher_foreign_records_total',
      help: 'Retry and state records ignored because they belong to another log (recreated topic, other deployment)',
      labelNames: ['role'],
      registers: [metricsRegistry],
    }),
  };
  return metrics;
}
