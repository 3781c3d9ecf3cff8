import { isWellFormed, REPLACEMENT_CHARACTER, storableText, textProblem } from './text';

describe('text rules', () => {
  it.each([
    ['a NUL', 'a\u0000b'],
    ['a line feed', 'a\nb'],
    ['an escape', 'a\u001bb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
  ])('refuses %s in plain text (names, ids, URLs)', (_, s) => {
    expect(textProblem(s, 'plain')).toMatch(/control characters/);
  });

  it('allows tab and line breaks in free text, but no other control character', () => {
    expect(textProblem('line one\r\n\tline two', 'free-text')).toBeNull();
    expect(textProblem('a\u0000b', 'free-text')).toMatch(/control characters/);
    expect(textProblem('a\u0007b', 'free-text')).toMatch(/control characters/);
  });

  it('refuses a lone surrogate anywhere, and accepts a surrogate pair', () => {
    expect(textProblem('bad\ud800', 'free-text')).toMatch(/well-formed/);
    expect(textProblem('\udc00bad', 'plain')).toMatch(/well-formed/);
    expect(textProblem('emoji 😀 and ü', 'plain')).toBeNull();
    expect(isWellFormed('😀')).toBe(true);
    expect(isWellFormed('😀'.slice(0, 1))).toBe(false);
  });

  it('storableText replaces NUL and lone surrogates only, and returns storable text as it is', () => {
    const clean = 'tab\tnew\nline ü 😀 \u0007';
    expect(storableText(clean)).toBe(clean);
    expect(storableText('a\u0000b\ud800c\udc00d')).toBe(
      `a${REPLACEMENT_CHARACTER}b${REPLACEMENT_CHARACTER}c${REPLACEMENT_CHARACTER}d`,
    );
    expect(storableText('😀\u0000')).toBe(`😀${REPLACEMENT_CHARACTER}`);
  });
});
