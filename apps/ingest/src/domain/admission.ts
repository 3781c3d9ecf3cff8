import {
  checkOccurredAt,
  decodeEvent,
  LogEvent,
  Rejection,
  storedAsSent,
  validateEvent,
} from '@app/contracts';
import { Sealer, sealSecrets } from './secrets.seal';

export type Admission = { ok: true; event: LogEvent } | { ok: false; rejection: Rejection };

/** When the input arrived, and how far from it an event's occurredAt may be (either way). */
export interface Arrival {
  receivedAtMs: number;
  occurredAtWindowMs: number;
}

/**
 * Decides whether raw inbound bytes may go on the log, and in which form: decode and validate as a
 * producer's event (size limit first), check its occurredAt against the arrival time, seal its
 * secrets, then validate the stored form too, so no consumer of the log ever reads an event that
 * breaks the stored contract. The stored form is not validated again when sealing left the event
 * as it was and its type is stored as sent: the inbound validation has just applied the very same
 * schema to the very same value (a fifth of admission's time per event; issue 14, decision 0751).
 */
export function admitEvent(bytes: Buffer | null, sealer: Sealer, arrival: Arrival): Admission {
  const decoded = decodeEvent(bytes, 'inbound');
  if (!decoded.ok) return decoded;
  const inbound = checkOccurredAt(decoded.event, arrival.receivedAtMs, arrival.occurredAtWindowMs);
  if (!inbound.ok) return inbound;
  const sealed = sealSecrets(inbound.event, sealer);
  if (sealed === inbound.event && storedAsSent(inbound.event.type, inbound.event.version)) {
    // The same schema for both shapes: the inbound event is its stored form.
    return inbound as { ok: true; event: LogEvent };
  }
  const stored = validateEvent(sealed, 'stored');
  if (!stored.ok) {
    // Reachable only when sealing grows a value past a stored limit (e.g. a long multi-byte
    // secret); reported as invalid data with the stored issues so the producer can fix it.
    return {
      ok: false,
      rejection: {
        code: 'invalid-data',
        message: 'the event is invalid once its secrets are sealed',
        issues: stored.rejection.issues,
      },
    };
  }
  return stored;
}
