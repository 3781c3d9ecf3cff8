import { metricsRegistry, registeredOnce } from '@app/platform';
import { Counter, Gauge, Histogram } from 'prom-client';

export type Source = 'kafka' | 'http';

/**
 * Ingest's Prometheus metrics, on the process-wide registry served at /metrics. Each metric is
 * registered once per process (`registeredOnce`: tests start several ingest instances in one process).
 */
export class IngestMetrics {
  readonly appended = registeredOnce(
    'ingest_events_appended_total',
    () =>
      new Counter({
        name: 'ingest_events_appended_total',
        help: 'Events appended to the event log, by source and event type',
        labelNames: ['source', 'type'] as const,
        registers: [metricsRegistry],
      }),
  );
  readonly duplicates = registeredOnce(
    'ingest_events_duplicate_total',
    () =>
      new Counter({
        name: 'ingest_events_duplicate_total',
        help: 'Events skipped because their id was already appended within the de-duplication window',
        labelNames: ['source'] as const,
        registers: [metricsRegistry],
      }),
  );
  readonly rejected = registeredOnce(
    'ingest_events_rejected_total',
    () =>
      new Counter({
        name: 'ingest_events_rejected_total',
        help: 'Inputs rejected (Kafka: sent to the dead-letter topic; HTTP: answered 400), by source and code',
        labelNames: ['source', 'code'] as const,
        registers: [metricsRegistry],
      }),
  );
  readonly dedupIds = registeredOnce(
    'ingest_dedup_ids',
    () =>
      new Gauge({
        name: 'ingest_dedup_ids',
        help: 'Event ids held in the de-duplication window',
        registers: [metricsRegistry],
      }),
  );
  readonly batchSeconds = registeredOnce(
    'ingest_batch_duration_seconds',
    () =>
      new Histogram({
        name: 'ingest_batch_duration_seconds',
        help: 'Time to process one inbound batch, transaction commit included',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [metricsRegistry],
      }),
  );
  readonly failedTransactions = registeredOnce(
    'ingest_transactions_aborted_total',
    () =>
      new Counter({
        name: 'ingest_transactions_aborted_total',
        help: 'Transactions aborted (the batch or request is retried or answered 503)',
        labelNames: ['source'] as const,
        registers: [metricsRegistry],
      }),
  );
}
