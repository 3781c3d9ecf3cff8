import { callbackIdOf, type CallbackConfig, type LogEvent, type LogEventOf } from '@app/contracts';
import type { CommunicationState } from './communication-state';

/** The events that can trigger callbacks. */
export type TriggeringEvent = LogEventOf<
  'MessageSent' | 'MessageDeliveryProblem' | 'MessageDeliveryStatusChanged' | 'CommunicationCompleted'
>;

/** One configured callback fired for one triggering event. */
export interface DueCallback {
  callbackId: string;
  callback: CallbackConfig;
  trigger: TriggeringEvent;
}

/**
 * Which configured callbacks `event` triggers, given the communication's state AFTER the event was
 * folded in. Nothing is due for a disabled or not yet configured communication, nor for the
 * service's own internal events.
 */
export function callbacksDue(event: LogEvent, state: CommunicationState): DueCallback[] {
  const trigger = triggeringEvent(event);
  if (!trigger || !state.enabled || !state.config) return [];
  return state.config.callbacks
    .filter((c) => c.event === trigger.type)
    .map((callback) => ({ callbackId: callbackIdOf(trigger.id, callback.id), callback, trigger }));
}

export function triggeringEvent(event: LogEvent): TriggeringEvent | null {
  switch (event.type) {
    case 'MessageSent':
    case 'MessageDeliveryProblem':
    case 'MessageDeliveryStatusChanged':
    case 'CommunicationCompleted':
      return event;
    case 'CommunicationConfigured':
    case 'CallbackAttempted':
    case 'CallbackFailed':
    case 'CallbackCancelled':
    case 'CommunicationDisabled':
    case 'CommunicationEnabled':
      return null;
    default:
      return assertNever(event);
  }
}

/** The message an event is about; null for CommunicationCompleted. */
export function messageIdOf(trigger: TriggeringEvent): string | null {
  return trigger.type === 'CommunicationCompleted' ? null : trigger.data.messageId;
}

function assertNever(event: never): never {
  throw new Error(`unhandled event type ${(event as { type: string }).type}`);
}
