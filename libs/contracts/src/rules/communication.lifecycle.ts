import type { CallbackFailed } from '../events/callback.events';
import type { LogEvent } from '../validate';

/**
 * Whether a communication's callbacks are sent, as both the dispatcher and the projector fold it
 * from the log. One definition for both, so the two can never disagree on whether an event
 * disabled a communication (decision 0623).
 */
export interface Lifecycle {
  enabled: boolean;
  /** Increases on every transition to disabled: what a retry scheduled before it is compared with. */
  epoch: number;
  /**
   * Id of the `CommunicationEnabled` that began the current (or last) active period; null when the
   * communication was active from its start. A `CallbackFailed` names the period its attempts ran in.
   */
  activeSince: string | null;
}

export const INITIAL_LIFECYCLE: Lifecycle = { enabled: true, epoch: 0, activeSince: null };

/**
 * A `CallbackFailed` disables only a communication that is still in the active period the failed
 * attempts ran in: a failure that started before an operator's disable + re-enable must not
 * disable the communication again. Events written before `activeSince` existed disable as before.
 */
export function failureDisables(lifecycle: Lifecycle, failed: Pick<CallbackFailed, 'activeSince'>): boolean {
  if (!lifecycle.enabled) return false;
  return failed.activeSince === undefined || failed.activeSince === lifecycle.activeSince;
}

/**
 * The epoch a callback belongs to is the one its attempt started in. Its result may still stop or
 * fail the callback only while the communication is enabled and in that same epoch: a disable in
 * between (even if re-enabled since) makes the attempt cancelled instead (decision 0623).
 */
export function inEpoch(lifecycle: Lifecycle, startedEpoch: number): boolean {
  return lifecycle.enabled && lifecycle.epoch === startedEpoch;
}

/**
 * The dispatcher's hold (decision 0334). A failure is decided by the dispatcher and carried to the
 * projector by its CallbackFailed; between deciding it and reading that event back from the log, the
 * dispatcher holds the communication's requests that have not left yet, so that none leaves after
 * the failure that disables it. The hold only bridges that delay: what disables is still
 * `lifecycleAfter` applied to the CallbackFailed. Three questions, answered here only:
 *
 * - `failureHolds`: does a finished attempt hold its communication? When it failed for good and
 *   its communication is still in the epoch it started in — exactly when it will be recorded as a
 *   CallbackFailed (`recordAttempt`); an attempt recorded as anything else lifts its hold.
 * - `mayLeave`: may a request leave? In the epoch it started in, and no failure on its way.
 * - `endsHolds`: which event read back from the log ends every hold of its communication? Its
 *   CallbackFailed (the lifecycle has decided from it by then).
 */
export function failureHolds(lifecycle: Lifecycle, startedEpoch: number, failedForGood: boolean): boolean {
  return failedForGood && inEpoch(lifecycle, startedEpoch);
}

export function mayLeave(lifecycle: Lifecycle, startedEpoch: number, failureOnItsWay: boolean): boolean {
  return inEpoch(lifecycle, startedEpoch) && !failureOnItsWay;
}

export const endsHolds = (event: Pick<LogEvent, 'type'>): boolean => event.type === 'CallbackFailed';

/** Why an operator's enable cannot be appended now; null when it can. */
export type EnableRefusal = 'not-disabled' | 'disable-pending' | null;

/**
 * What an enable requires: the communication is disabled, and the disable is on the log. An enable
 * appended before the projector's own CommunicationDisabled (still in its outbox) would be undone
 * by it, since on the log the disable would come last (decision 0502).
 */
export function enableRefusal(
  lifecycle: Pick<Lifecycle, 'enabled'>,
  disablePendingInOutbox: boolean,
): EnableRefusal {
  if (lifecycle.enabled) return 'not-disabled';
  return disablePendingInOutbox ? 'disable-pending' : null;
}

/** The lifecycle after one event; the SAME object when the event changes nothing. */
export function lifecycleAfter(lifecycle: Lifecycle, event: LogEvent): Lifecycle {
  switch (event.type) {
    case 'CallbackFailed':
      return failureDisables(lifecycle, event.data) ? disabled(lifecycle) : lifecycle;
    case 'CommunicationDisabled':
      return lifecycle.enabled ? disabled(lifecycle) : lifecycle;
    case 'CommunicationEnabled':
      return lifecycle.enabled ? lifecycle : { enabled: true, epoch: lifecycle.epoch, activeSince: event.id };
    case 'CommunicationConfigured':
    case 'MessageSent':
    case 'MessageDeliveryProblem':
    case 'MessageDeliveryStatusChanged':
    case 'CommunicationCompleted':
    case 'CallbackAttempted':
    case 'CallbackCancelled':
    case 'CallbackResendRequested':
    case 'CommunicationRecoveryRequested':
      return lifecycle;
    default:
      return assertNever(event);
  }
}

const disabled = (l: Lifecycle): Lifecycle => ({
  enabled: false,
  epoch: l.epoch + 1,
  activeSince: l.activeSince,
});

function assertNever(event: never): never {
  throw new Error(`unhandled event type ${(event as { type: string }).type}`);
}
