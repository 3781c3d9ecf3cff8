/**
 * What text is acceptable where. Two facts, defined once:
 *
 * - Producers' strings: identifiers, names, modes, codes and URLs carry no control character at all;
 *   free text (a problem description) may hold tabs and line breaks but no other control character.
 *   Every string must be well-formed Unicode (no lone surrogate: it has no UTF-8 form).
 * - Storable text: PostgreSQL `text` and `jsonb` refuse U+0000, and `jsonb` refuses a lone surrogate
 *   escape. `storableText` is what a consumer writes instead of a string it does not control.
 */

/* eslint-disable no-control-regex -- control characters are exactly what these rules are about */
/** C0 controls, DEL and C1 controls: never meaningful in an identifier, name or URL. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The same, except tab, line feed and carriage return, which free text may hold. */
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const NUL = /\u0000/g;
/* eslint-enable no-control-regex */

/** The character that takes the place of one that cannot be stored (U+FFFD). */
export const REPLACEMENT_CHARACTER = '\ufffd';

export type TextKind = 'plain' | 'free-text';

/** The runtime's own check where it has one (Node 20+), a regular expression otherwise. */
const nativeWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/** True when the string has no lone surrogate (it can be encoded as UTF-8). */
export const isWellFormed = (s: string): boolean =>
  nativeWellFormed ? nativeWellFormed.call(s) : !LONE_SURROGATE.test(s);

/** Why a producer's string is refused, or null when it is acceptable text of that kind. */
export function textProblem(s: string, kind: TextKind): string | null {
  if (!isWellFormed(s)) return 'not well-formed Unicode (a lone surrogate)';
  if ((kind === 'plain' ? CONTROL : CONTROL_IN_TEXT).test(s)) {
    return kind === 'plain'
      ? 'control characters are not allowed'
      : 'control characters other than tab and line breaks are not allowed';
  }
  return null;
}

/**
 * The string with every U+0000 and every lone surrogate replaced by U+FFFD: storable in
 * PostgreSQL `text` and `jsonb` and encodable as UTF-8 JSON. Everything else is kept as it is, so
 * a string that was already storable comes back identical (the same object).
 */
export function storableText(s: string): string {
  if (!s.includes('\u0000') && isWellFormed(s)) return s;
  return s.replace(NUL, REPLACEMENT_CHARACTER).replace(LONE_SURROGATES, REPLACEMENT_CHARACTER);
}
