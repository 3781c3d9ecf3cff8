import { storableText, type ParkingConsumer } from '@app/contracts';
import { Counter } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.registry';
import { classifyFailure, type ClassifiedFailure } from './failure.classify';
import { nextStep, PARKING_POLICY, type ParkingPolicy } from './parking.policy';
import { loggerFor, type ContextLogger } from '../logging/context.logger';

/** Why a record was parked: safe to log and to store (no content of the record). */
export interface Failure extends ClassifiedFailure {
  message: string;
  /** Tries of the record on its own (0 when it was parked without being tried, e.g. undecodable). */
  attempts: number;
}

/** One unit of a consumer's work, as the guard drives it. */
export interface GuardedUnit<R> {
  /** The records, in order. */
  records: readonly R[];
  /**
   * Processes records as one unit (commit included) and throws when that fails. Called again after
   * a failure with `retry = true`: it must then skip what was committed meanwhile.
   */
  process(records: readonly R[], retry: boolean): Promise<void>;
  /** Moves past one record without processing it, recording why (atomically with the position). */
  park(record: R, failure: Failure): Promise<void>;
  /** Names a record in a log line: its position and event id, never its content. */
  describe(record: R): string;
  /** False once the consumer stops or loses the input: leave the rest to whoever owns it next. */
  active(): boolean;
  /** Waits between tries (a Kafka consumer heartbeats meanwhile). */
  pause(ms: number): Promise<void>;
}

const parkedTotal = (): Counter<'consumer'> =>
  (metricsRegistry.getSingleMetric('records_parked_total') as Counter<'consumer'> | undefined) ??
  new Counter({
    name: 'records_parked_total',
    help: 'Records set aside after failing deterministically on their own (see the parked topic / table), by consumer',
    labelNames: ['consumer'],
    registers: [metricsRegistry],
  });

const MAX_MESSAGE = 500;

/**
 * Counts and logs one parked record (the metric and the log line every consumer shares). The
 * guard calls it; a consumer that parks a record inside its own transaction (one it cannot even
 * decode) calls it once that transaction committed.
 */
export function reportParked(consumer: ParkingConsumer, where: string, failure: Failure): void {
  parkedTotal().inc({ consumer });
  loggerFor(`parking:${consumer}`).warn(
    `parked ${where}: ${failure.code} (${failure.class}) after ${failure.attempts} attempt(s) alone`,
  );
}

/** A failure's description: its name and message, bounded and storable. */
export function describeFailure(error: unknown, classified: ClassifiedFailure, attempts: number): Failure {
  const e = error as { name?: unknown; message?: unknown } | null;
  const raw = `${String(e?.name ?? 'Error')}: ${String(e?.message ?? error)}`;
  const message = storableText(raw.length > MAX_MESSAGE ? `${raw.slice(0, MAX_MESSAGE - 1)}…` : raw);
  return { ...classified, message, attempts };
}

/**
 * The one "park after bounded retries" mechanism every consumer of a log uses. A unit that fails
 * transiently is handed back to the consumer's own recovery (which waits and retries, as before):
 * the guard rethrows. A unit that fails deterministically is retried a few times, then its records
 * are tried one by one; a record that still fails is parked and the partition goes on.
 *
 * "Deterministic" is decided from the error (classifyFailure) and, when the consumer gives one, by
 * asking its store whether it is up: a failure while the store is down is transient, whatever the
 * error says, so an outage never parks healthy records.
 */
export class PoisonGuard {
  private readonly logger: ContextLogger;

  constructor(
    readonly consumer: ParkingConsumer,
    private readonly options: { policy?: ParkingPolicy; storeUp?: () => Promise<boolean> } = {},
  ) {
    this.logger = loggerFor(`parking:${consumer}`);
    // The series exists from the start (at 0), so an alert on its increase sees the first parking.
    parkedTotal().inc({ consumer }, 0);
  }

  private get policy(): ParkingPolicy {
    return this.options.policy ?? PARKING_POLICY;
  }

  async run<R>(unit: GuardedUnit<R>): Promise<void> {
    if (unit.records.length === 0) return;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await unit.process(unit.records, attempt > 1);
      } catch (e) {
        const step = nextStep(this.policy, 'batch', (await this.classify(e)).class, attempt);
        if (step.do === 'rethrow' || !unit.active()) throw e;
        if (step.do === 'isolate') break;
        if (step.do === 'retry') await unit.pause(step.pauseMs);
        if (!unit.active()) return;
      }
    }
    this.logger.warn(
      `a batch of ${unit.records.length} record(s) from ${unit.describe(unit.records[0])} failed ` +
        `${this.policy.batchAttempts} times; trying its records one by one`,
    );
    for (const record of unit.records) {
      if (!unit.active()) return;
      await this.runAlone(unit, record);
    }
  }

  private async runAlone<R>(unit: GuardedUnit<R>, record: R): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await unit.process([record], true);
      } catch (e) {
        const classified = await this.classify(e);
        const step = nextStep(this.policy, 'record', classified.class, attempt);
        if (step.do === 'rethrow' || !unit.active()) throw e;
        if (step.do === 'park') return this.park(unit, record, describeFailure(e, classified, attempt));
        if (step.do === 'retry') await unit.pause(step.pauseMs);
        if (!unit.active()) return;
      }
    }
  }

  /** Parks a record that cannot be processed at all (e.g. not decodable): no tries needed. */
  async park<R>(unit: Pick<GuardedUnit<R>, 'park' | 'describe'>, record: R, failure: Failure): Promise<void> {
    await unit.park(record, failure);
    reportParked(this.consumer, unit.describe(record), failure);
  }

  private async classify(e: unknown): Promise<ClassifiedFailure> {
    const classified = classifyFailure(e);
    if (classified.class === 'deterministic' && this.options.storeUp && !(await this.storeUp())) {
      return { class: 'transient', code: classified.code };
    }
    return classified;
  }

  private async storeUp(): Promise<boolean> {
    try {
      return await this.options.storeUp!();
    } catch {
      return false;
    }
  }
}
