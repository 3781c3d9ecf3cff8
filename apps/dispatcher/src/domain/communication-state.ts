import type { CommunicationConfigured, LogEvent } from '@app/contracts';

/**
 * What the dispatcher must know about one communication, folded from the log alone. It is a
 * snapshot value: written to the compacted state topic and loaded at start-up, so restart time
 * depends on the number of communications, not on the length of the log.
 */
export interface CommunicationState {
  communicationId: string;
  /** The latest configuration; null until a CommunicationConfigured arrives. */
  config: CommunicationConfigured | null;
  /** False after CallbackFailed or CommunicationDisabled, true again after CommunicationEnabled. */
  enabled: boolean;
  /**
   * Increases on every transition to disabled. A retry remembers the epoch it was scheduled in; a
   * different epoch when it comes due means the communication was disabled meanwhile (cancel it).
   */
  epoch: number;
  /** Log offset of the last event folded in (decimal string); makes folding idempotent. */
  position: string;
}

export const initialState = (communicationId: string): CommunicationState => ({
  communicationId,
  config: null,
  enabled: true,
  epoch: 0,
  position: '-1',
});

/**
 * Folds one log event at `offset` into the state. Returns the SAME object when nothing changed,
 * so the caller knows whether a new snapshot must be written. An event at or before the state's
 * position was already folded in and is ignored (a redelivered batch does no harm).
 */
export function evolve(state: CommunicationState, event: LogEvent, offset: bigint): CommunicationState {
  if (offset <= BigInt(state.position)) return state;
  const at = offset.toString();
  switch (event.type) {
    case 'CommunicationConfigured':
      return { ...state, config: event.data, position: at };
    case 'CallbackFailed':
    case 'CommunicationDisabled':
      return state.enabled ? { ...state, enabled: false, epoch: state.epoch + 1, position: at } : state;
    case 'CommunicationEnabled':
      return state.enabled ? state : { ...state, enabled: true, position: at };
    case 'MessageSent':
    case 'MessageDeliveryProblem':
    case 'MessageDeliveryStatusChanged':
    case 'CommunicationCompleted':
    case 'CallbackAttempted':
    case 'CallbackCancelled':
      return state;
    default:
      return assertNever(event);
  }
}

function assertNever(event: never): never {
  throw new Error(`unhandled event type ${(event as { type: string }).type}`);
}
