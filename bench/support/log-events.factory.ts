/**
 * Events for the benchmarks, in the published contracts' shapes: `inbound` events as Dispatch
 * produces them (for ingest) and `stored` events as they sit on the log (for the dispatcher and
 * the projector, which the benches feed directly). Each builder's first result is validated, so
 * a shape error stops the bench at once instead of producing a million rejects.
 */
import { randomUUID } from 'node:crypto';
import {
  CURRENT_VERSION,
  logHeadersOf,
  validateEvent,
  type EventType,
  type LogEvent,
  type LogEventOf,
} from '@app/contracts';

export interface KafkaRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

const checked = new Set<string>();

/** The record for one event; the first event of each type and shape is validated. */
export function recordOf(event: LogEvent, shape: 'inbound' | 'stored' = 'stored'): KafkaRecord {
  const tag = `${shape}:${event.type}`;
  if (!checked.has(tag)) {
    const result = shape === 'inbound' ? validateEvent(event, 'inbound') : validateEvent(event, 'stored');
    if (!result.ok)
      throw new Error(
        `bench event ${event.type} is not a valid ${shape} event: ${JSON.stringify(result.rejection)}`,
      );
    checked.add(tag);
  }
  return { key: event.communicationId, value: JSON.stringify(event), headers: logHeadersOf(event) };
}

function envelope<K extends EventType>(type: K, communicationId: string) {
  return {
    id: randomUUID(),
    type,
    version: CURRENT_VERSION[type],
    occurredAt: new Date().toISOString(),
    communicationId,
  };
}

/** Communication ids spread over the partitions (keys hash to partitions). */
export const communicationIds = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}-comm-${i}`);

export interface CallbackSpec {
  id: string;
  event: 'MessageSent' | 'MessageDeliveryStatusChanged' | 'MessageDeliveryProblem' | 'CommunicationCompleted';
  method: 'GET' | 'POST';
  url: string;
}

export function configured(
  communicationId: string,
  callbacks: CallbackSpec[],
): LogEventOf<'CommunicationConfigured'> {
  return {
    ...envelope('CommunicationConfigured', communicationId),
    data: {
      campaignId: 'campaign-bench',
      campaignMode: 'production',
      environment: { tenant: 'registrar', term: '2026-fall' },
      callbacks,
      notificationList: ['bench-callbacks@example.edu'],
    },
  };
}

/** `n` makes the member unique; `extra` adds attributes (the latency bench's `sent` time). */
export function memberAttributes(n: number, extra: Record<string, string | number> = {}) {
  const number = String(n).padStart(8, '0');
  return {
    id: `M-${number}`,
    studentId: number,
    email: `student${number}@example.edu`,
    mobile: '+13195550142',
    college: 'Engineering',
    creditHours: 12,
    optInSms: true,
    ...extra,
  };
}

export function messageSent(
  communicationId: string,
  n: number,
  extra: Record<string, string | number> = {},
): LogEventOf<'MessageSent'> {
  return {
    ...envelope('MessageSent', communicationId),
    data: {
      messageId: randomUUID(),
      batchId: `${communicationId}-batch-${Math.floor(n / 1000)}`,
      memberAttributes: memberAttributes(n, extra),
      destinations: ['email', 'twilio-sms'],
    },
  };
}

export function smsDelivered(
  communicationId: string,
  n: number,
  messageId: string,
): LogEventOf<'MessageDeliveryStatusChanged'> {
  return {
    ...envelope('MessageDeliveryStatusChanged', communicationId),
    data: {
      messageId,
      batchId: `${communicationId}-batch-${Math.floor(n / 1000)}`,
      memberAttributes: memberAttributes(n),
      channel: 'sms',
      status: 'delivered',
      previousStatus: 'sent',
      errorCode: null,
      twilioSid: `SM${String(n).padStart(32, '0')}`,
    },
  };
}

/** A succeeded first attempt of the MessageSent callback of `trigger`, as the dispatcher appends it. */
export function attemptSucceeded(
  trigger: LogEventOf<'MessageSent'>,
  callbackConfigId: string,
  url: string,
): LogEventOf<'CallbackAttempted'> {
  return {
    ...envelope('CallbackAttempted', trigger.communicationId),
    data: {
      callbackId: `${trigger.id}.${callbackConfigId}`,
      callbackConfigId,
      triggerEventId: trigger.id,
      triggerType: 'MessageSent',
      messageId: trigger.data.messageId,
      method: 'GET',
      url,
      attempt: 1,
      startedAt: new Date().toISOString(),
      durationMs: 3,
      statusCode: 200,
      error: null,
      responseSnippet: 'ok',
      outcome: 'succeeded',
      nextAttemptAt: null,
    },
  };
}
