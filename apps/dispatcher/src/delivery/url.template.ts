import { LIMITS, VARIABLE_NAME } from '@app/contracts';

/**
 * `${name}` URL templates (SPEC §2 rule 2). Every substituted value is percent-encoded so that it
 * can never change the URL's structure; the result must be an absolute http(s) URL.
 *
 * Syntax: `${name}` is replaced by the variable `name`; `$${` stands for a literal `${` (the rest
 * is then plain text); a `$` not followed by `{` is plain text. Names follow the contract's variable
 * names: a letter or `_`, then letters, digits, `_`, `.`, `-`.
 *
 * A placeholder in the authority (host or port) may only produce one DNS label, `[A-Za-z0-9-]`:
 * percent-encoding does not protect the host (URL parsers decode `%2E` there), and a value must never
 * move the request, with its credentials and signature, to another host.
 */

/** Exactly `{ kind, message }`, the shape of an attempt error on the log (extra fields would not validate). */
export type RenderError = { kind: 'unresolved-variable' | 'invalid-url'; message: string };
export type RenderResult = { ok: true; url: string } | { ok: false; error: RenderError };

/** Same bound as `CallbackAttempted.url` in the contracts, so a rendered URL can always be recorded. */
export const MAX_RENDERED_URL_LENGTH = LIMITS.maxRenderedUrlLength;
const MAX_LISTED_NAMES = 10;
/**
 * What a value substituted into the host or port may be: one DNS label, never empty (an empty
 * value can make the parser read the path as the host: `https://${a}/path` → host `path`).
 */
const DNS_LABEL = /^[A-Za-z0-9-]{1,63}$/;

/**
 * encodeURIComponent, plus the characters it leaves alone that still mean something to some URL
 * parsers or servers: `!'()*` (sub-delimiters) and `.` (so `..` cannot read as a parent directory
 * to a server that does not decode `%2E` first). Null when the text is not well-formed Unicode.
 */
export function encodeValue(value: string): string | null {
  try {
    return encodeURIComponent(value).replace(
      /[!'()*.]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  } catch {
    return null; // a lone surrogate: there is no UTF-8 for it
  }
}

type Piece = { text: string } | { name: string };

/** Splits a template into text and placeholders, or explains why it is malformed. */
export function parseTemplate(
  template: string,
): { ok: true; pieces: Piece[] } | { ok: false; message: string } {
  const pieces: Piece[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i)) {
      text += '${';
      i += 3;
    } else if (template.startsWith('${', i)) {
      const close = template.indexOf('}', i + 2);
      if (close < 0) return { ok: false, message: `unclosed placeholder at character ${i + 1}` };
      const name = template.slice(i + 2, close);
      if (!VARIABLE_NAME.test(name)) {
        return { ok: false, message: `placeholder at character ${i + 1} is not a valid variable name` };
      }
      if (text) pieces.push({ text });
      text = '';
      pieces.push({ name });
      i = close + 1;
    } else {
      text += template[i];
      i += 1;
    }
  }
  if (text) pieces.push({ text });
  return { ok: true, pieces };
}

const invalid = (message: string): RenderResult => ({ ok: false, error: { kind: 'invalid-url', message } });

export function renderUrl(template: string, variables: Map<string, string>): RenderResult {
  const parsed = parseTemplate(template);
  if (!parsed.ok) return invalid(`malformed URL template: ${parsed.message}`);

  const missing = new Set<string>();
  let out = '';
  /** Where substituted text sits in `out`: [start, end) pairs, for the dot-segment check. */
  const substituted: Array<[number, number]> = [];
  const where = authorityTracker();
  for (const piece of parsed.pieces) {
    if ('text' in piece) {
      out += piece.text;
      where.passText(piece.text);
      continue;
    }
    const value = variables.get(piece.name);
    if (value === undefined) {
      missing.add(piece.name);
      continue;
    }
    if (where.inAuthority() && !DNS_LABEL.test(value)) {
      return invalid(
        `the value of \${${piece.name}} is used in the host and is not a single DNS label (letters, digits, -)`,
      );
    }
    const encoded = encodeValue(value);
    if (encoded === null) return invalid(`the value of \${${piece.name}} is not well-formed Unicode`);
    substituted.push([out.length, out.length + encoded.length]);
    out += encoded;
  }
  if (missing.size > 0) {
    const names = [...missing].slice(0, MAX_LISTED_NAMES);
    const more = missing.size > names.length ? ` and ${missing.size - names.length} more` : '';
    return {
      ok: false,
      error: {
        kind: 'unresolved-variable',
        message: `no value for ${names.map((n) => `\${${n}}`).join(', ')}${more}`,
      },
    };
  }
  if (out.length > MAX_RENDERED_URL_LENGTH) {
    return invalid(`the rendered URL is ${out.length} characters; the limit is ${MAX_RENDERED_URL_LENGTH}`);
  }
  const dot = dotSegmentFromValue(out, substituted);
  if (dot) return invalid(`a substituted value forms the path segment "${dot}", which would change the path`);

  let url: URL;
  try {
    url = new URL(out);
  } catch {
    return invalid('the rendered URL is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return invalid('the URL must use http or https');
  if (!url.hostname) return invalid('the URL has no host');
  // Credentials belong in the callback's sealed credentials, never in a URL (which is stored in clear).
  if (url.username || url.password)
    return invalid('the URL must not contain user information (user:password@)');
  return { ok: true, url: url.href };
}

/**
 * Follows the template's own text to tell whether a placeholder sits in the authority: after the
 * first `://` and before the first `/`, `?` or `#` that follows it (values cannot hold those
 * characters unencoded, so only the template's text can end the authority).
 */
function authorityTracker() {
  let state: 'scheme' | 'authority' | 'rest' = 'scheme';
  let pending = '';
  return {
    passText(text: string) {
      if (state === 'rest') return;
      if (state === 'scheme') {
        pending += text;
        const at = pending.indexOf('://');
        if (at < 0) return;
        state = 'authority';
        text = pending.slice(at + 3);
      }
      if (/[/?#\\]/.test(text)) state = 'rest';
    },
    inAuthority: () => state === 'authority',
  };
}

const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * WHATWG URL parsers treat `%2E%2E` as `..` and drop the segment before it, so encoding alone does
 * not stop a value such as `..` from climbing the path. A path segment that is a dot segment and
 * contains substituted text is refused. Values cannot contain `/`, `?` or `#` unencoded, so the
 * path's boundaries are the template's own.
 */
function dotSegmentFromValue(out: string, substituted: Array<[number, number]>): string | null {
  const schemeEnd = out.indexOf('://');
  if (schemeEnd < 0) return null; // not absolute: rejected by the URL check
  const afterAuthority = out.slice(schemeEnd + 3).search(/[/\\?#]/);
  if (afterAuthority < 0) return null;
  let start = schemeEnd + 3 + afterAuthority;
  const queryOrFragment = out.slice(start).search(/[?#]/);
  const pathEnd = queryOrFragment < 0 ? out.length : start + queryOrFragment;
  while (start < pathEnd) {
    const segStart = start + 1; // skip the separator
    const next = out.slice(segStart, pathEnd).search(/[/\\]/);
    const segEnd = next < 0 ? pathEnd : segStart + next;
    const segment = out.slice(segStart, segEnd);
    const fromValue = substituted.some(([s, e]) => s < segEnd && e > segStart);
    if (fromValue && DOT_SEGMENT.test(segment)) return segment;
    start = segEnd;
  }
  return null;
}
