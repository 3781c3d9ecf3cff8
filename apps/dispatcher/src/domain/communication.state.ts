import {
  INITIAL_LIFECYCLE,
  lifecycleAfter,
  type CommunicationConfigured,
  type Lifecycle,
  type LogEvent,
} from '@app/contracts';

/**
 * What the dispatcher must know about one communication, folded from the log alone. It is a
 * snapshot value: written to the compacted state topic and loaded at start-up, so restart time
 * depends on the number of communications, not on the length of the log.
 *
 * `enabled`, `epoch` and `activeSince` follow the rule both services share
 * (`lifecycleAfter` in the contracts library): false after a disabling CallbackFailed or a
 * CommunicationDisabled, true again after CommunicationEnabled. A retry remembers the epoch it was
 * scheduled in; a different epoch when it comes due means the communication was disabled meanwhile.
 */
export interface CommunicationState extends Lifecycle {
  communicationId: string;
  /** The latest configuration; null until a CommunicationConfigured arrives. */
  config: CommunicationConfigured | null;
  /** Log offset of the last event folded in (decimal string); makes folding idempotent. */
  position: string;
}

export const initialState = (communicationId: string): CommunicationState => ({
  communicationId,
  config: null,
  ...INITIAL_LIFECYCLE,
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
  if (event.type === 'CommunicationConfigured') return { ...state, config: event.data, position: at };
  const next = lifecycleAfter(state, event);
  return next === state ? state : { ...state, ...next, position: at };
}
