import fc from 'fast-check';
import { exampleFiles } from './example-events.fixture';
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

/** Valid events with one field replaced by an arbitrary JSON value: near misses, not just noise. */
const mutatedExample = fc
  .tuple(
    fc.constantFrom(...exampleFiles().map((e) => e.value)),
    fc.jsonValue({ maxDepth: 4 }),
    fc.nat(),
    fc.boolean(),
  )
  .map(([example, replacement, pick, inData]) => {
    const event = structuredClone(example) as Record<string, unknown>;
    const target = inData ? (event.data as Record<string, unknown>) : event;
    const keys = Object.keys(target);
    target[keys[pick % keys.length]] = replacement;
    return Buffer.from(JSON.stringify(event));
  });

/** Strings full of what hostile producers send: controls, NUL, lone surrogates, astral characters. */
const hostileString = fc.string({ unit: 'binary', maxLength: 40 });
const exampleWithHostileText = fc
  .tuple(fc.constantFrom(...exampleFiles().map((e) => e.value)), hostileString, fc.nat())
  .map(([example, text, pick]) => {
    const json = JSON.stringify(example);
    const quotes = [...json.matchAll(/":"/g)].map((m) => m.index! + 3);
    const at = quotes[pick % quotes.length];
    return Buffer.from(json.slice(0, at) + JSON.stringify(text).slice(1, -1) + json.slice(at));
  });

const deepNesting = fc
  .tuple(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom('[', '{"a":'))
  .map(([n, open]) => Buffer.from(open.repeat(n) + '1' + (open === '[' ? ']' : '}').repeat(n)));

const anyInput = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  mutatedExample,
  exampleWithHostileText,
  deepNesting,
);

describe('decodeEvent, property: any bytes are an event or a dead-letter code', () => {
  it('never throws, and answers either a valid event or one of the stable codes', () => {
    fc.assert(
      fc.property(anyInput, (bytes) => {
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
