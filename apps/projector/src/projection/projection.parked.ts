import { decodeEvent, loggableEventId, storableText } from '@app/contracts';
import { derivedUuid } from './projection.ids';
import type { ParkedRow } from './projection.schema';

/** Where a parked log record came from, and its bytes. */
export interface ParkedSource {
  topic: string;
  partition: number;
  offset: string;
  key?: Buffer | null;
  value: Buffer | null;
}

/** Why it was parked (the shape of the platform's Failure, without depending on it). */
export interface ParkingReason {
  code: string;
  class: 'deterministic' | 'transient';
  message: string;
  attempts: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The row that records a log record the projection set aside. Pure: its id derives from the
 * record's position, so a replay parks the same record under the same id; what the record is
 * (event id, type, communication) is read from it when it decodes, else from its id and key.
 */
export function parkedLogRecord(source: ParkedSource, reason: ParkingReason): ParkedRow {
  const decoded = decodeEvent(source.value, 'stored');
  const key = source.key ? storableText(source.key.toString('utf8').slice(0, 300)) : null;
  return {
    parkedId: derivedUuid('Parked', 'projector', source.topic, String(source.partition), source.offset),
    consumer: 'projector',
    sourceTopic: source.topic,
    sourcePartition: source.partition,
    sourceOffset: source.offset,
    eventId: decoded.ok ? decoded.event.id : (loggableEventId(source.value) ?? null),
    eventType: decoded.ok ? decoded.event.type : null,
    communicationId: decoded.ok ? decoded.event.communicationId : key,
    code: reason.code,
    failureClass: reason.class,
    reason: reason.message,
    attempts: reason.attempts,
  };
}

/** The row that records an outbox event the relay set aside. */
export function parkedOutboxEvent(
  event: { eventId: string; eventType: string | null; communicationId: string },
  reason: ParkingReason,
): ParkedRow {
  return {
    parkedId: derivedUuid('Parked', 'outbox-relay', event.eventId),
    consumer: 'outbox-relay',
    sourceTopic: null,
    sourcePartition: null,
    sourceOffset: null,
    eventId: UUID.test(event.eventId) ? event.eventId : null,
    eventType: event.eventType,
    communicationId: event.communicationId,
    code: reason.code,
    failureClass: reason.class,
    reason: reason.message,
    attempts: reason.attempts,
  };
}
