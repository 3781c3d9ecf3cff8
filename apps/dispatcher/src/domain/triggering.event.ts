import type { LogEvent, LogEventOf } from '@app/contracts';

/** The events that can trigger callbacks. */
export type TriggeringEvent = LogEventOf<
  'MessageSent' | 'MessageDeliveryProblem' | 'MessageDeliveryStatusChanged' | 'CommunicationCompleted'
>;

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
    case 'CallbackResendRequested':
    case 'CommunicationRecoveryRequested':
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
