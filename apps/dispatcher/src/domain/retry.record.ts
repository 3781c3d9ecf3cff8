import { z } from 'zod';
import {
  LIMITS,
  communicationConfiguredStoredV1,
  instantSchema,
  validateEvent,
  type CommunicationConfigured,
} from '@app/contracts';
import { triggeringEvent, type TriggeringEvent } from './triggering.event';

/**
 * A scheduled attempt on the retry topic. It carries everything the attempt needs (the triggering
 * event and the configuration as it was, with secrets still sealed), so a retry does exactly what
 * the first attempt did even if the communication is reconfigured meanwhile.
 */
export interface RetryRecord {
  v: 1;
  communicationId: string;
  callbackId: string;
  callbackConfigId: string;
  /** The attempt number this record will perform (2 for the first retry). */
  attempt: number;
  /**
   * Set when the attempt was already sent and still running at hand-off (decision 0335): the record
   * stands for that attempt's result. The process that sent it records the result when it has it;
   * any other process (after a crash or a move) sends the attempt again.
   */
  inFlight?: true;
  /** The attempt is a resend: one attempt, a failure fails the callback (no further retry). */
  final?: true;
  /** When it is due (ISO instant). */
  dueAt: string;
  /** The communication's disable epoch when it was scheduled (see CommunicationState.epoch). */
  epoch: number;
  trigger: TriggeringEvent;
  /** The configuration reduced to the one callback this record is about. */
  config: CommunicationConfigured;
}

const shape = z
  .object({
    v: z.literal(1),
    communicationId: z.string().min(1),
    callbackId: z.string().min(1).max(LIMITS.maxCallbackIdLength),
    callbackConfigId: z.string().min(1),
    attempt: z.number().int().min(1).max(100),
    inFlight: z.literal(true).optional(),
    final: z.literal(true).optional(),
    dueAt: instantSchema,
    epoch: z.number().int().min(0),
    trigger: z.unknown(),
    config: communicationConfiguredStoredV1,
  })
  .strict()
  // Only an attempt handed off while in flight can be the first one; retries start at 2.
  .refine((r) => r.attempt >= 2 || r.inFlight === true, { message: 'attempt must be at least 2' });

export type DecodedRetry = { ok: true; record: RetryRecord } | { ok: false; message: string };

export function decodeRetryRecord(bytes: Buffer | null): DecodedRetry {
  let value: unknown;
  try {
    value = JSON.parse(bytes?.toString('utf8') ?? '');
  } catch {
    return { ok: false, message: 'retry record is not JSON' };
  }
  const parsed = shape.safeParse(value);
  if (!parsed.success)
    return { ok: false, message: `retry record is invalid: ${parsed.error.issues[0]?.message}` };
  const event = validateEvent(parsed.data.trigger, 'stored');
  const trigger = event.ok ? triggeringEvent(event.event) : null;
  if (!trigger) return { ok: false, message: 'retry record does not carry a triggering event' };
  if (!parsed.data.config.callbacks.some((c) => c.id === parsed.data.callbackConfigId)) {
    return { ok: false, message: 'retry record does not carry its callback configuration' };
  }
  return { ok: true, record: { ...parsed.data, trigger } };
}

export const encodeRetryRecord = (record: RetryRecord): Buffer => Buffer.from(JSON.stringify(record));

/** The configuration with only the callback a retry needs (keeps retry records small). */
export function configForOneCallback(
  config: CommunicationConfigured,
  callbackConfigId: string,
): CommunicationConfigured {
  return {
    ...config,
    callbacks: config.callbacks.filter((c) => c.id === callbackConfigId),
    notificationList: [],
  };
}

/** Key of one attempt of one callback: what the in-flight hand-off is tracked by. */
export const attemptKey = (callbackId: string, attempt: number): string => `${callbackId}#${attempt}`;

/** What an in-flight hand-off record is made of: the attempt as it was started. */
export interface StartedAttempt {
  communicationId: string;
  callbackId: string;
  callbackConfigId: string;
  attempt: number;
  epoch: number;
  final: boolean;
  trigger: TriggeringEvent;
  config: CommunicationConfigured;
}

/** The retry record that performs `attempt` of a started callback at `dueAt`. */
export function retryRecordOf(
  started: StartedAttempt,
  attempt: number,
  dueAt: Date,
  inFlight = false,
): RetryRecord {
  return {
    v: 1,
    communicationId: started.communicationId,
    callbackId: started.callbackId,
    callbackConfigId: started.callbackConfigId,
    attempt,
    ...(inFlight && { inFlight: true as const }),
    ...(started.final && { final: true as const }),
    dueAt: dueAt.toISOString(),
    epoch: started.epoch,
    trigger: started.trigger,
    config: configForOneCallback(started.config, started.callbackConfigId),
  };
}

/**
 * The record that stands for an attempt still running when its batch stopped waiting, due once
 * its request must have ended (decision 0335). The retry topic is not read in due order any more
 * (decision 0620), so this due time may be earlier than records ahead of it.
 */
export const inFlightRecord = (started: StartedAttempt, writtenAt: Date, delayMs: number): RetryRecord =>
  retryRecordOf(started, started.attempt, new Date(writtenAt.getTime() + delayMs), true);

/**
 * What a transaction that consumed retry records writes to the same retry partition: the offsets
 * it settled. Reading the partition again (after a crash, a move, a new consumer group) finds the
 * record, then this marker, and does not fire the record again (decision 0620).
 */
export interface DoneMarker {
  v: 1;
  done: string[];
}

export const encodeDoneMarker = (offsets: readonly bigint[]): Buffer =>
  Buffer.from(JSON.stringify({ v: 1, done: offsets.map(String) } satisfies DoneMarker));

/** A record of the retry topic as the scheduler files it, before the full decode at firing. */
export type RetryTopicEntry =
  | { kind: 'record'; dueAt: number }
  | { kind: 'done'; offsets: bigint[] }
  | { kind: 'unreadable'; message: string }
  /** Written for another log (decision 0643): not this dispatcher's to fire or settle. */
  | { kind: 'foreign' };

/** The callback and attempt of an in-flight record (decision 0335); null for anything else. */
export function inFlightAttemptOf(bytes: Buffer | null): { callbackId: string; attempt: number } | null {
  let value: unknown;
  try {
    value = JSON.parse(bytes?.toString('utf8') ?? '');
  } catch {
    return null;
  }
  const v = value as Partial<RetryRecord> | null;
  if (typeof v !== 'object' || v === null || v.inFlight !== true) return null;
  return typeof v.callbackId === 'string' && typeof v.attempt === 'number'
    ? { callbackId: v.callbackId, attempt: v.attempt }
    : null;
}

/** Cheap first look at a retry-topic value: a done marker, a record with its due time, or junk. */
export function peekRetryTopicValue(bytes: Buffer | null): RetryTopicEntry {
  let value: unknown;
  try {
    value = JSON.parse(bytes?.toString('utf8') ?? '');
  } catch {
    return { kind: 'unreadable', message: 'retry topic value is not JSON' };
  }
  if (typeof value !== 'object' || value === null)
    return { kind: 'unreadable', message: 'retry topic value is not an object' };
  const v = value as { done?: unknown; dueAt?: unknown };
  if (Array.isArray(v.done)) {
    const offsets = v.done.filter((o): o is string => typeof o === 'string' && /^\d{1,19}$/.test(o));
    return { kind: 'done', offsets: offsets.map((o) => BigInt(o)) };
  }
  const dueAt = typeof v.dueAt === 'string' ? Date.parse(v.dueAt) : NaN;
  if (Number.isNaN(dueAt)) return { kind: 'unreadable', message: 'retry record has no due time' };
  return { kind: 'record', dueAt };
}
