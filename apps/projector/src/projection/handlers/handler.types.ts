import type { LogEvent, LogEventOf } from '@app/contracts';
import type { LogPosition, PublishedMark } from '../projection.rows';
import type {
  AttemptRow,
  BatchMemberRow,
  BatchRow,
  CallbackRow,
  CommunicationRow,
  DeliveryStatusRow,
  MessageRow,
  NotificationEmailRow,
  OutboxEventRow,
  RecoveryRow,
  TriggerEventRow,
} from '../projection.schema';

/** The rows of the tables an event may read, by key. */
export interface ReadRows {
  communications: CommunicationRow;
  messages: MessageRow;
  batches: BatchRow;
  callbacks: CallbackRow;
  recoveries: RecoveryRow;
}

/**
 * What a handler sees: the rows as they are before its event (changed by earlier events of the
 * same chunk, else as loaded).
 */
export interface Rows {
  get<K extends keyof ReadRows>(table: K, key: string): ReadRows[K] | undefined;
}

/**
 * What one event changes: full new versions of rows of the mutable tables (upserted), and rows
 * appended to the others (inserted once: a second insert of the same key does nothing).
 */
export interface Change {
  communications?: CommunicationRow[];
  messages?: MessageRow[];
  batches?: BatchRow[];
  callbacks?: CallbackRow[];
  recoveries?: RecoveryRow[];
  batchMembers?: BatchMemberRow[];
  attempts?: AttemptRow[];
  deliveryStatuses?: DeliveryStatusRow[];
  outboxEvents?: OutboxEventRow[];
  emails?: NotificationEmailRow[];
  triggerEvents?: TriggerEventRow[];
  /** Outbox events seen on the log: the relay's work for them is done. */
  published?: PublishedMark[];
}

export interface EvolveOptions {
  /** `live` sends mail; `replay` records the emails a live run would send as `suppressed`. */
  mode: 'live' | 'replay';
}

/** A projection handler: pure, `(rows, event) → change`, one per event type. */
export type Handler<T extends LogEvent['type']> = (
  rows: Rows,
  event: LogEventOf<T>,
  position: LogPosition,
  options: EvolveOptions,
) => Change;

export const NO_CHANGE: Change = Object.freeze({});
