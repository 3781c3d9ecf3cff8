import fc from 'fast-check';
import { anyInboundInput, exampleWithHostileText } from './inbound.arbitraries.fixture';
import { RejectionCode, decodeEvent, validateEvent } from './validate';

const CODES: RejectionCode[] = [
  'oversize',
  'malformed-json',
  'too-deep',
  'invalid-envelope',
  'unknown-type',
  'unknown-version',
  'internal-type',
  'invalid-data',
];

describe('decodeEvent, property: any bytes are an event or a dead-letter code', () => {
  it('never throws, and answers either a valid event or one of the stable codes', () => {
    fc.assert(
      fc.property(anyInboundInput, (bytes) => {
        const result = decodeEvent(bytes, 'inbound');
        if (result.ok) {
          // What is accepted validates again and survives the trip through JSON unchanged.
          expect(validateEvent(JSON.parse(JSON.stringify(result.event)), 'inbound').ok).toBe(true);
        } else {
          expect(CODES).toContain(result.rejection.code);
          expect(result.rejection.issues.length).toBeLessThanOrEqual(50);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts text outside member attributes only when it is well-formed and has no control escape', () => {
    fc.assert(
      fc.property(exampleWithHostileText, (bytes) => {
        const result = decodeEvent(bytes, 'inbound');
        if (!result.ok) return;
        const { memberAttributes: _, ...rest } = result.event.data as Record<string, unknown>;
        const text = JSON.stringify({ ...result.event, data: rest });
        expect(text).not.toMatch(/\\u00[01][0-9a-f]|\\ud[89a-f]/i);
      }),
      { numRuns: 1_000 },
    );
  });
});
