import { z } from 'zod';
import {
  callbackAttemptedV1,
  callbackCancelledV1,
  callbackFailedV1,
  callbackResendRequestedV1,
} from './events/callback.events';
import { communicationCompletedV1 } from './events/communication.completed';
import {
  communicationConfiguredInboundV1,
  communicationConfiguredStoredV1,
} from './events/communication.configured';
import {
  communicationDisabledV1,
  communicationEnabledV1,
  communicationRecoveryRequestedV1,
} from './events/communication.status';
import {
  messageDeliveryProblemV1,
  messageDeliveryStatusChangedV1,
  messageSentV1,
} from './events/message.events';

/**
 * Every event type and schema version the system knows. `inbound` is the shape a producer sends
 * (validated by ingest), `stored` the shape on the event log (what consumers read). They differ only
 * where ingest transforms the event (secrets are sealed). `origin` says who may produce it:
 * Dispatch's producers (`dispatch`) or this service itself (`internal`).
 */
export const CONTRACTS = {
  CommunicationConfigured: {
    origin: 'dispatch',
    versions: { 1: { inbound: communicationConfiguredInboundV1, stored: communicationConfiguredStoredV1 } },
  },
  MessageSent: { origin: 'dispatch', versions: { 1: same(messageSentV1) } },
  MessageDeliveryProblem: { origin: 'dispatch', versions: { 1: same(messageDeliveryProblemV1) } },
  MessageDeliveryStatusChanged: { origin: 'dispatch', versions: { 1: same(messageDeliveryStatusChangedV1) } },
  CommunicationCompleted: { origin: 'dispatch', versions: { 1: same(communicationCompletedV1) } },
  CallbackAttempted: { origin: 'internal', versions: { 1: same(callbackAttemptedV1) } },
  CallbackFailed: { origin: 'internal', versions: { 1: same(callbackFailedV1) } },
  CallbackCancelled: { origin: 'internal', versions: { 1: same(callbackCancelledV1) } },
  CommunicationDisabled: { origin: 'internal', versions: { 1: same(communicationDisabledV1) } },
  CommunicationEnabled: { origin: 'internal', versions: { 1: same(communicationEnabledV1) } },
  CallbackResendRequested: { origin: 'internal', versions: { 1: same(callbackResendRequestedV1) } },
  CommunicationRecoveryRequested: {
    origin: 'internal',
    versions: { 1: same(communicationRecoveryRequestedV1) },
  },
} as const satisfies Record<
  string,
  { origin: 'dispatch' | 'internal'; versions: Record<number, { inbound: z.ZodType; stored: z.ZodType }> }
>;

/**
 * Whether a version of a type is stored as it is sent: one schema for both shapes. An inbound event
 * of such a type that ingest did not transform has then been judged by the stored rules already.
 */
export function storedAsSent(type: EventType, version: number): boolean {
  const schemas = (CONTRACTS[type].versions as Record<number, { inbound: z.ZodType; stored: z.ZodType }>)[
    version
  ];
  return schemas !== undefined && schemas.inbound === schemas.stored;
}

function same<S extends z.ZodType>(schema: S) {
  return { inbound: schema, stored: schema } as const;
}

export type EventType = keyof typeof CONTRACTS;
export const EVENT_TYPES = Object.keys(CONTRACTS) as EventType[];
export const INBOUND_EVENT_TYPES = EVENT_TYPES.filter((t) => CONTRACTS[t].origin === 'dispatch');
export const isEventType = (t: string): t is EventType => Object.prototype.hasOwnProperty.call(CONTRACTS, t);

/** The latest version of each type: what this code writes. */
export const CURRENT_VERSION: { [K in EventType]: number } = Object.fromEntries(
  EVENT_TYPES.map((t) => [t, Math.max(...Object.keys(CONTRACTS[t].versions).map(Number))]),
) as { [K in EventType]: number };

type V1<K extends EventType> = (typeof CONTRACTS)[K]['versions'][1];
/** Data of each type as it is on the log. */
export type StoredData<K extends EventType> = z.infer<V1<K>['stored']>;
/** Data of each type as a producer sends it. */
export type InboundData<K extends EventType> = z.infer<V1<K>['inbound']>;
