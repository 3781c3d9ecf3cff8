import fc from 'fast-check';
import { exampleFiles } from './example-events.fixture';

/**
 * Test fixtures for property specs of whatever judges inbound bytes (decoding here, admission in
 * ingest): bytes as producers may send them, from noise to near misses of the committed examples.
 */

/** Valid events with one field replaced by an arbitrary JSON value: near misses, not just noise. */
export const mutatedExample = fc
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
export const exampleWithHostileText = fc
  .tuple(fc.constantFrom(...exampleFiles().map((e) => e.value)), hostileString, fc.nat())
  .map(([example, text, pick]) => {
    const json = JSON.stringify(example);
    const quotes = [...json.matchAll(/":"/g)].map((m) => m.index! + 3);
    const at = quotes[pick % quotes.length];
    return Buffer.from(json.slice(0, at) + JSON.stringify(text).slice(1, -1) + json.slice(at));
  });

/**
 * Valid examples with one string value replaced by printable text (most of them stay valid) and the
 * JSON laid out differently: accepted events of every inbound type, each a little different.
 */
export const exampleWithOtherText = fc
  .tuple(
    fc.constantFrom(...exampleFiles().map((e) => e.value)),
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._:@+-]{0,30}$/),
    fc.nat(),
    fc.constantFrom(undefined, 2),
  )
  .map(([example, text, pick, indent]) => {
    const json = JSON.stringify(example, null, indent);
    const strings = [...json.matchAll(/: ?"([^"\\]*)"/g)];
    const m = strings[pick % strings.length];
    const at = m.index! + m[0].length - m[1].length - 1;
    return Buffer.from(json.slice(0, at) + text + json.slice(at + m[1].length));
  });

const deepNesting = fc
  .tuple(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom('[', '{"a":'))
  .map(([n, open]) => Buffer.from(open.repeat(n) + '1' + (open === '[' ? ']' : '}').repeat(n)));

/** Any of the above, or arbitrary bytes and JSON. */
export const anyInboundInput = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  mutatedExample,
  exampleWithHostileText,
  exampleWithOtherText,
  deepNesting,
);
