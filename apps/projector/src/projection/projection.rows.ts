/**
 * Shapes the projection passes around that are not table rows. The rows themselves are derived
 * from the one definition of each table in `projection.schema.ts`.
 */

/** Where an event sits on the log. */
export interface LogPosition {
  partition: number;
  offset: string;
  /** Kafka record timestamp (ms since epoch, as a string). */
  timestamp: string;
}

/** An outbox event seen on the log: the relay's work for it is done. */
export interface PublishedMark {
  eventId: string;
  partition: number;
  offset: string;
}
