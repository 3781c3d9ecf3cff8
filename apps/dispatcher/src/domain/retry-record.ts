import { z } from 'zod';
import {
  communicationConfiguredStoredV1,
  instantSchema,
  validateEvent,
  type CommunicationConfigured,
} from '@app/contracts';
import { triggeringEvent, type TriggeringEvent } from './callbacks-due';

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
    callbackId: z.string().min(1).max(300),
    callbackConfigId: z.string().min(1),
    attempt: z.number().int().min(1).max(100),
    inFlight: z.literal(true).optional(),
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
  trigger: TriggeringEvent;
  config: CommunicationConfigured;
}

/**
 * The record that stands for an attempt still running when its batch stopped waiting. Due after
 * the same fixed delay as every retry record, so the retry topic stays in due order.
 */
export function inFlightRecord(started: StartedAttempt, writtenAt: Date, delayMs: number): RetryRecord {
  return {
    v: 1,
    communicationId: started.communicationId,
    callbackId: started.callbackId,
    callbackConfigId: started.callbackConfigId,
    attempt: started.attempt,
    inFlight: true,
    dueAt: new Date(writtenAt.getTime() + delayMs).toISOString(),
    epoch: started.epoch,
    trigger: started.trigger,
    config: configForOneCallback(started.config, started.callbackConfigId),
  };
}
