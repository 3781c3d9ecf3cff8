import { metricsRegistry, registeredOnce } from '@app/platform';
import { Counter, Gauge } from 'prom-client';

/** Reads the age of the oldest unpublished outbox event; set by the running projector's relay. */
let oldestOutboxAge: (() => Promise<number>) | undefined;

/**
 * The projector's Prometheus metrics, on the process-wide registry served at /metrics. Each metric
 * is registered once per process (`registeredOnce`: tests start several projectors in one
 * process); the runtime creates one instance and counts through it.
 */
export class ProjectorMetrics {
  readonly eventsApplied = registeredOnce(
    'projector_events_applied_total',
    () =>
      new Counter({
        name: 'projector_events_applied_total',
        help: 'Log events folded into the projection',
        registers: [metricsRegistry],
      }),
  );
  readonly eventsSkipped = registeredOnce(
    'projector_events_skipped_total',
    () =>
      new Counter({
        name: 'projector_events_skipped_total',
        help: 'Log records skipped (unknown type/version or invalid)',
        registers: [metricsRegistry],
      }),
  );
  readonly caughtUp = registeredOnce(
    'projector_caught_up',
    () =>
      new Gauge({
        name: 'projector_caught_up',
        help: '1 once the projection reached the log end read at start-up',
        registers: [metricsRegistry],
      }),
  );
  readonly disabled = registeredOnce(
    'projector_communications_disabled_total',
    () =>
      new Counter({
        name: 'projector_communications_disabled_total',
        help: 'CommunicationDisabled events folded into the projection by this instance (alert: disables per hour)',
        registers: [metricsRegistry],
      }),
  );
  readonly outboxOldest = registeredOnce(
    'projector_outbox_oldest_seconds',
    () =>
      new Gauge({
        name: 'projector_outbox_oldest_seconds',
        help: 'Age of the oldest outbox event not yet appended to the log (0 when none); a stuck relay grows it',
        registers: [metricsRegistry],
        async collect() {
          this.set(oldestOutboxAge ? await oldestOutboxAge().catch(() => -1) : 0);
        },
      }),
  );
  readonly logMismatch = registeredOnce(
    'projector_log_mismatch',
    () =>
      new Gauge({
        name: 'projector_log_mismatch',
        help: '1 while the projection was not built from the log it is connected to (refused or rebuilding)',
        registers: [metricsRegistry],
      }),
  );

  /** Where `projector_outbox_oldest_seconds` reads from when scraped (the last relay started). */
  measureOutboxWith(age: () => Promise<number>): void {
    oldestOutboxAge = age;
  }
}
