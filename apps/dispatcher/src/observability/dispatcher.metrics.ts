import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry, registeredOnce } from '@app/platform';
import { HostLabels } from './host.label';

const HOST_LABELS = new HostLabels();

/**
 * The dispatcher's Prometheus metrics, on the process-wide registry served at /metrics. Each metric
 * is registered once per process (`registeredOnce`: tests start several dispatchers in one process,
 * and a registry refuses a second metric of the same name); the runtime creates one instance and
 * passes it to what counts. Labels never carry a URL or credential, and are closed sets (outcome,
 * error kind, topic role) — except the receiver's host of `attemptsByHost`, bounded by `HostLabels`
 * (decision 0681).
 */
export class DispatcherMetrics {
  readonly attempts = registeredOnce(
    'dispatcher_callback_attempts_total',
    () =>
      new Counter({
        name: 'dispatcher_callback_attempts_total',
        help: 'Callback attempts by outcome (succeeded, retrying, failed) and error kind (none when it succeeded)',
        labelNames: ['outcome', 'error_kind'] as const,
        registers: [metricsRegistry],
      }),
  );
  readonly attemptsByHost = registeredOnce(
    'dispatcher_callback_attempts_by_host_total',
    () =>
      new Counter({
        name: 'dispatcher_callback_attempts_by_host_total',
        help: 'Callback attempts by receiver host (the first 100 hosts; later ones as "other") and outcome',
        labelNames: ['host', 'outcome'] as const,
        registers: [metricsRegistry],
      }),
  );
  /** Bounds the host label of `attemptsByHost` (decision 0681); one per process, like the counter. */
  readonly hostLabels = HOST_LABELS;
  readonly attemptDuration = registeredOnce(
    'dispatcher_callback_attempt_duration_seconds',
    () =>
      new Histogram({
        name: 'dispatcher_callback_attempt_duration_seconds',
        help: 'Duration of callback attempts, from the start of the request to the end of the response',
        labelNames: ['outcome'] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
        registers: [metricsRegistry],
      }),
  );
  readonly cancelled = registeredOnce(
    'dispatcher_callbacks_cancelled_total',
    () =>
      new Counter({
        name: 'dispatcher_callbacks_cancelled_total',
        help: 'Callbacks not attempted because their communication was disabled',
        registers: [metricsRegistry],
      }),
  );
  readonly undecodable = registeredOnce(
    'dispatcher_undecodable_records_total',
    () =>
      new Counter({
        name: 'dispatcher_undecodable_records_total',
        help: 'Records skipped because they could not be decoded (log = event log, retry = retry topic)',
        labelNames: ['role'] as const,
        registers: [metricsRegistry],
      }),
  );
  readonly batches = registeredOnce(
    'dispatcher_batches_committed_total',
    () =>
      new Counter({
        name: 'dispatcher_batches_committed_total',
        help: 'Kafka transactions committed, by input (log or retry)',
        labelNames: ['role'] as const,
        registers: [metricsRegistry],
      }),
  );
  readonly handedOff = registeredOnce(
    'dispatcher_attempts_handed_off_total',
    () =>
      new Counter({
        name: 'dispatcher_attempts_handed_off_total',
        help: 'Attempts still running when their batch stopped waiting, handed to the retry topic (by input)',
        labelNames: ['role'] as const,
        registers: [metricsRegistry],
      }),
  );
  readonly retryLateness = registeredOnce(
    'dispatcher_retry_lateness_seconds',
    () =>
      new Histogram({
        name: 'dispatcher_retry_lateness_seconds',
        help: 'How long after its due time a retry record fired (decision 0620: within 1 s)',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
        registers: [metricsRegistry],
      }),
  );
  readonly retryScheduled = registeredOnce(
    'dispatcher_retry_scheduled_records',
    () =>
      new Gauge({
        name: 'dispatcher_retry_scheduled_records',
        help: 'Retry records read and waiting for their due time (or their transaction) in this process',
        registers: [metricsRegistry],
      }),
  );
  readonly retryReadPaused = registeredOnce(
    'dispatcher_retry_read_paused_total',
    () =>
      new Counter({
        name: 'dispatcher_retry_read_paused_total',
        help: 'Pauses of the retry consumer because the schedules hold RETRY_BUFFER_MB (retries may fire late)',
        registers: [metricsRegistry],
      }),
  );
  readonly foreign = registeredOnce(
    'dispatcher_foreign_records_total',
    () =>
      new Counter({
        name: 'dispatcher_foreign_records_total',
        help: 'Retry and state records ignored because they belong to another log (recreated topic, other deployment)',
        labelNames: ['role'] as const,
        registers: [metricsRegistry],
      }),
  );
}
