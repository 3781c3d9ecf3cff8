import {
  callbackIdOf,
  validateEvent,
  type CallbackCancelled,
  type CallbackConfig,
  type LogEvent,
  type LogEventOf,
} from '@app/contracts';
import { callbackRef, type CallbackRef } from './callback.records';
import type { CommunicationState } from './communication.state';
import { messageIdOf, triggeringEvent, type TriggeringEvent } from './triggering.event';

/** One attempt of one configured callback fired for one triggering event. */
export interface DueCallback {
  callbackId: string;
  callback: CallbackConfig;
  trigger: TriggeringEvent;
  /** 1 for a first attempt; a resend continues the callback's numbering. */
  attempt: number;
  /** A resend is one attempt: a failure fails the callback at once instead of retrying. */
  final: boolean;
}

/** What one log event asks of the dispatcher, callback by callback. */
export type PlannedCallback =
  | { action: 'attempt'; due: DueCallback }
  | { action: 'cancel'; ref: CallbackRef; attempts: number; reason: CallbackCancelled['reason'] }
  | { action: 'invalid'; message: string };

/**
 * Which callbacks `event` triggers, given the communication's state AFTER the event was folded in.
 * A triggering event calls back every callback configured for its type while the communication is
 * enabled; while it is disabled each of those callbacks is recorded as cancelled (attempts 0), so
 * an operator can find and recover it later (decision 0627). A `CallbackResendRequested` asks for
 * one more attempt of one callback with the current configuration. Nothing is due for a
 * communication that is not configured yet, nor for the service's other internal events.
 */
export function callbacksDue(event: LogEvent, state: CommunicationState): PlannedCallback[] {
  if (!state.config) return [];
  if (event.type === 'CallbackResendRequested') return [resendOf(event, state)];
  const trigger = triggeringEvent(event);
  if (!trigger) return [];
  return state.config.callbacks
    .filter((c) => c.event === trigger.type)
    .map((callback): PlannedCallback => {
      const callbackId = callbackIdOf(trigger.id, callback.id);
      if (state.enabled)
        return { action: 'attempt', due: { callbackId, callback, trigger, attempt: 1, final: false } };
      const ref = callbackRef(callbackId, callback, trigger, null);
      return { action: 'cancel', ref, attempts: 0, reason: 'communication-disabled' };
    });
}

function resendOf(event: LogEventOf<'CallbackResendRequested'>, state: CommunicationState): PlannedCallback {
  const d = event.data;
  const checked = validateEvent(d.trigger, 'stored');
  const trigger = checked.ok ? triggeringEvent(checked.event) : null;
  if (!trigger || trigger.communicationId !== event.communicationId) {
    return {
      action: 'invalid',
      message: `resend ${event.id} does not carry a triggering event of its communication`,
    };
  }
  const callback = state.config?.callbacks.find((c) => c.id === d.callbackConfigId);
  const ref: CallbackRef = callback
    ? callbackRef(d.callbackId, callback, trigger, null)
    : {
        callbackId: d.callbackId,
        callbackConfigId: d.callbackConfigId,
        triggerEventId: trigger.id,
        triggerType: trigger.type,
        messageId: messageIdOf(trigger),
        method: d.method,
        url: null,
      };
  const previous = d.attempt - 1;
  if (!callback) return { action: 'cancel', ref, attempts: previous, reason: 'callback-not-configured' };
  if (!state.enabled) return { action: 'cancel', ref, attempts: previous, reason: 'communication-disabled' };
  return {
    action: 'attempt',
    due: { callbackId: d.callbackId, callback, trigger, attempt: d.attempt, final: true },
  };
}
