import {
  checkOccurredAt,
  decodeEvent,
  INBOUND_EVENT_TYPES,
  type SealedSecret,
  storedAsSent,
  validateEvent,
} from '@app/contracts';
import { anyInboundInput, exampleWithOtherText } from '@app/contracts/inbound.arbitraries.fixture';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Admission, admitEvent } from './admission';
import { Sealer, sealSecrets } from './secrets.seal';

/**
 * Deterministic, so that two admissions of the same bytes can be compared; its ciphertext grows
 * with the secret as AES-GCM's does (base64 of as many bytes).
 */
const sealer: Sealer = {
  seal: (plain: string, aad: string): SealedSecret => ({
    alg: 'A256GCM',
    keyId: 'k1',
    iv: createHash('sha256').update(aad).digest().subarray(0, 12).toString('base64'),
    tag: createHash('sha256').update(plain).digest().subarray(0, 16).toString('base64'),
    ct: Buffer.from(plain).toString('base64'),
  }),
};

/** The examples happened on 2026-11-03; they arrive the same day. */
const arrival = { receivedAtMs: Date.parse('2026-11-03T12:00:00Z'), occurredAtWindowMs: 7 * 86_400_000 };

/** The model: admission as it was before decision 0751, validating the stored form every time. */
function admitValidatingAlways(bytes: Buffer): Admission {
  const decoded = decodeEvent(bytes, 'inbound');
  if (!decoded.ok) return decoded;
  const inbound = checkOccurredAt(decoded.event, arrival.receivedAtMs, arrival.occurredAtWindowMs);
  if (!inbound.ok) return inbound;
  const stored = validateEvent(sealSecrets(inbound.event, sealer), 'stored');
  if (stored.ok) return stored;
  return {
    ok: false,
    rejection: {
      code: 'invalid-data',
      message: 'the event is invalid once its secrets are sealed',
      issues: stored.rejection.issues,
    },
  };
}

describe('admitEvent, property: skipping the stored validation lets nothing else through', () => {
  it('answers as the model that always validates the stored form, for any bytes', () => {
    const accepted = new Map<string, number>();
    fc.assert(
      fc.property(fc.oneof(anyInboundInput, exampleWithOtherText), (bytes) => {
        const verdict = admitEvent(bytes, sealer, arrival);
        expect(verdict).toEqual(admitValidatingAlways(bytes));
        if (verdict.ok) accepted.set(verdict.event.type, (accepted.get(verdict.event.type) ?? 0) + 1);
      }),
      { numRuns: 3_000 },
    );
    // Not vacuous: every type producers send was accepted, the skipping ones and the sealed one.
    for (const type of INBOUND_EVENT_TYPES) expect(accepted.get(type) ?? 0).toBeGreaterThan(10);
  });

  it('admits only events the stored contract accepts as they are', () => {
    fc.assert(
      fc.property(exampleWithOtherText, (bytes) => {
        const verdict = admitEvent(bytes, sealer, arrival);
        if (!verdict.ok) return;
        const stored = validateEvent(JSON.parse(JSON.stringify(verdict.event)), 'stored');
        expect(stored.ok && stored.event).toEqual(verdict.event);
      }),
      { numRuns: 2_000 },
    );
  });

  it('skips it only for types stored as sent: every one but CommunicationConfigured', () => {
    expect(INBOUND_EVENT_TYPES.filter((t) => !storedAsSent(t, 1))).toEqual(['CommunicationConfigured']);
    expect(storedAsSent('MessageSent', 2)).toBe(false);
  });
});
