import { inEpoch, type Lifecycle, type LogEvent } from '@app/contracts';
import {
  attemptedEvent,
  cancelledEvent,
  failedEvent,
  type AttemptRecord,
  type CallbackRef,
  type Stamp,
} from './callback.records';
import { retryRecordOf, type RetryRecord, type StartedAttempt } from './retry.record';
import type { AttemptVerdict } from './retry.policy';

/**
 * What one attempt did, before it is recorded: the request's result and the policy's verdict, or
 * `sent: false` when the communication was disabled before the request could leave.
 */
export type AttemptReport =
  | { started: StartedAttempt; ref: CallbackRef; sent: false }
  | { started: StartedAttempt; ref: CallbackRef; sent: true; record: AttemptRecord; verdict: AttemptVerdict };

/** What recording an attempt adds to the batch's transaction. */
export interface RecordedAttempt {
  events: LogEvent[];
  retry: RetryRecord | null;
  /** A CallbackFailed is among the events. */
  failed: boolean;
  /** How the attempt was recorded (for metrics); `not-sent` when no request left. */
  outcome: 'succeeded' | 'retrying' | 'failed' | 'cancelled' | 'not-sent';
}

/**
 * Turns an attempt into the events and retry record its batch writes, judged against the
 * communication's lifecycle AT RECORDING TIME (decision 0623). A handed-off attempt is recorded
 * long after it started; if its communication was disabled since (a different epoch, even when an
 * operator re-enabled it meanwhile), a failure neither retries nor fails the callback, which would
 * disable the communication again: the attempt is recorded with outcome `cancelled` and the
 * callback is cancelled. A success is always recorded as one. The `CallbackFailed` names the
 * active period it belongs to, so the projector applies the same rule (`failureDisables`).
 */
export function recordAttempt(report: AttemptReport, now: Lifecycle, stamp: () => Stamp): RecordedAttempt {
  const { started, ref } = report;
  const id = started.communicationId;
  if (!report.sent) {
    const cancelled = cancelledEvent(id, ref, started.attempt - 1, 'communication-disabled', stamp());
    return { events: [cancelled], retry: null, failed: false, outcome: 'not-sent' };
  }
  const { record, verdict } = report;
  if (verdict.outcome === 'succeeded') {
    return {
      events: [attemptedEvent(id, ref, record, verdict, stamp())],
      retry: null,
      failed: false,
      outcome: 'succeeded',
    };
  }
  if (!inEpoch(now, started.epoch)) {
    const events = [
      attemptedEvent(id, ref, record, { outcome: 'cancelled', error: verdict.error }, stamp()),
      cancelledEvent(id, ref, started.attempt, 'communication-disabled', stamp()),
    ];
    return { events, retry: null, failed: false, outcome: 'cancelled' };
  }
  const attempted = attemptedEvent(id, ref, record, verdict, stamp());
  if (verdict.outcome === 'retrying') {
    const retry = retryRecordOf(started, started.attempt + 1, verdict.nextAttemptAt);
    return { events: [attempted], retry, failed: false, outcome: 'retrying' };
  }
  const failed = failedEvent(
    id,
    ref,
    started.attempt,
    verdict.error,
    record.statusCode,
    now.activeSince,
    stamp(),
  );
  return { events: [attempted, failed], retry: null, failed: true, outcome: 'failed' };
}
