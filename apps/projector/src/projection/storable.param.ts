import { storableText } from '@app/contracts';

/**
 * Serialised JSON that PostgreSQL `jsonb` may refuse: an escaped U+0000, or an escaped lone
 * surrogate (JSON.stringify escapes only lone ones; a valid pair is written as it is). A literal
 * backslash followed by such text also matches, which only costs the slow path.
 */
const UNSTORABLE_ESCAPE = /\\u0000|\\ud[89a-f][0-9a-f]{2}/i;

/**
 * One statement parameter, made storable: strings lose U+0000 and lone surrogates (`text` refuses
 * the first, and both break `jsonb`); a `jsonb` value is serialised with every string and object
 * key made storable the same way. Everything already storable is passed through unchanged, so rows
 * stay a pure function of the log (a replay writes the same bytes).
 */
export function storableParam(value: unknown, json: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (json) {
    const text = JSON.stringify(value);
    return UNSTORABLE_ESCAPE.test(text) ? JSON.stringify(storableJson(value)) : text;
  }
  return typeof value === 'string' ? storableText(value) : value;
}

/** A copy of a JSON value with every string and key passed through `storableText`. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object') {
    // Object.entries + a plain object: a `__proto__` key stays an own property, never a prototype.
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, storableText(k), {
        value: storableJson(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}
