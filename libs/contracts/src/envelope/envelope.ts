import { z } from 'zod';
import { LIMITS } from '../limits';

/** Ids chosen by Dispatch: printable, no whitespace or control characters, bounded. */
export const idSchema = z
  .string()
  .min(1)
  .max(LIMITS.maxIdLength)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]*$/,
    'letters, digits, and . _ : - only, starting with a letter or digit',
  );

export const uuidSchema = z.uuid();

/** ISO-8601 instant with a zone (e.g. 2026-11-27T10:00:00.000Z or +01:00). */
export const instantSchema = z.iso.datetime({ offset: true });

/**
 * The envelope every event shares. `data` is the event's own payload; everything else is metadata
 * that the log, de-duplication and routing rely on.
 */
export const envelopeFields = {
  /** Producer-chosen UUID. The same id twice means the same event: ingest appends it once. */
  id: uuidSchema,
  /** Event type name, e.g. `MessageSent`. Never a class name. */
  type: z.string().min(1).max(64),
  /** Schema version of `data` for this type (integer, starting at 1). */
  version: z.number().int().min(1).max(1000),
  /** When the fact happened at the producer. */
  occurredAt: instantSchema,
  /** The communication the event belongs to; also the Kafka key on the event log. */
  communicationId: idSchema,
} as const;

export const envelopeHeaderSchema = z.object(envelopeFields).strict().extend({ data: z.unknown() });

export type EnvelopeHeader = Omit<z.infer<typeof envelopeHeaderSchema>, 'data'>;

/** An envelope with a typed type and data. */
export interface Envelope<T extends string, D> {
  id: string;
  type: T;
  version: number;
  occurredAt: string;
  communicationId: string;
  data: D;
}
