import fc from 'fast-check';
import { encodeValue, MAX_RENDERED_URL_LENGTH, parseTemplate, renderUrl } from './url.template';

const vars = (o: Record<string, string>) => new Map(Object.entries(o));

function rendered(template: string, values: Record<string, string>): string {
  const r = renderUrl(template, vars(values));
  if (!r.ok) throw new Error(`expected a URL, got ${r.error.kind}: ${r.error.message}`);
  return r.url;
}

function failure(template: string, values: Record<string, string>) {
  const r = renderUrl(template, vars(values));
  if (r.ok) throw new Error(`expected an error, got ${r.url}`);
  return r.error;
}

describe('URL templates', () => {
  it('substitutes ${name} in path and query', () => {
    expect(
      rendered('https://apps.example.edu/notify/${studentId}?c=${communicationId}', {
        studentId: 'S1',
        communicationId: 'c-1',
      }),
    ).toBe('https://apps.example.edu/notify/S1?c=c-1');
  });

  it('substitutes the same variable several times and leaves a template without placeholders alone', () => {
    expect(rendered('http://h.example/${a}/${a}', { a: 'x' })).toBe('http://h.example/x/x');
    expect(rendered('http://h.example/plain?x=1', {})).toBe('http://h.example/plain?x=1');
  });

  it.each([
    ['a/b', 'a%2Fb'],
    ['?x=1', '%3Fx%3D1'],
    ['#frag', '%23frag'],
    ['a&b=c', 'a%26b%3Dc'],
    ['a b', 'a%20b'],
    ['100%', '100%25'],
    ['%2F', '%252F'],
    ['ü€', '%C3%BC%E2%82%AC'],
    ["it's (1)*!", 'it%27s%20%281%29%2A%21'],
    ['a.b', 'a%2Eb'],
    ['..%2F..', '%2E%2E%252F%2E%2E'],
    ['back\\slash', 'back%5Cslash'],
    ['-_~', '-_~'],
  ])('encodes %j so it cannot change the structure', (value, encoded) => {
    expect(rendered('https://h.example/p/${v}/end?q=${v}', { v: value })).toBe(
      `https://h.example/p/${encoded}/end?q=${encoded}`,
    );
    expect(encodeValue(value)).toBe(encoded);
  });

  it('keeps the query parameter decodable to the original value', () => {
    const hostile = '../x?y=1&z=2#f ü/%';
    const url = new URL(rendered('https://h.example/cb?v=${v}&k=1', { v: hostile }));
    expect(url.searchParams.get('v')).toBe(hostile);
    expect(url.searchParams.get('k')).toBe('1');
    expect(url.pathname).toBe('/cb');
  });

  it.each([
    ['https://h.example/a/${v}/b', '..'],
    ['https://h.example/a/${v}/b', '.'],
    ['https://h.example/a/${v}./b', '.'],
    ['https://h.example/a/.${v}', '.'],
    ['https://h.example/a/${v}${w}/b', '.'],
  ])('refuses %s with a value %j that forms a dot segment', (template, value) => {
    const error = failure(template, { v: value, w: value });
    expect(error.kind).toBe('invalid-url');
    expect(error.message).toContain('path segment');
  });

  it('refuses ".." as a whole path segment but allows it inside a segment or in the query', () => {
    expect(failure('https://h.example/a/${v}/b', { v: '..' }).kind).toBe('invalid-url');
    expect(failure('https://h.example/a/${v}', { v: '.' }).kind).toBe('invalid-url');
    expect(rendered('https://h.example/a/x${v}/b', { v: '..' })).toBe('https://h.example/a/x%2E%2E/b');
    expect(rendered('https://h.example/a?p=${v}', { v: '..' })).toBe('https://h.example/a?p=%2E%2E');
  });

  it('names every unresolved variable', () => {
    const error = failure('https://h.example/${a}/${b}/${a}/${known}', { known: 'k' });
    expect(error).toEqual({ kind: 'unresolved-variable', message: 'no value for ${a}, ${b}' });
  });

  it('lists at most ten unresolved names', () => {
    const template = `https://h.example/${Array.from({ length: 15 }, (_, i) => `\${v${i}}`).join('/')}`;
    const error = failure(template, {});
    expect(error.message).toBe(
      `no value for ${Array.from({ length: 10 }, (_, i) => `\${v${i}}`).join(', ')} and 5 more`,
    );
  });

  it('treats $${ as a literal ${ and a lone $ as text', () => {
    expect(rendered('https://h.example/$${notavar}/$x/${a}', { a: 'A' })).toBe(
      'https://h.example/$%7Bnotavar%7D/$x/A',
    );
  });

  it.each([
    ['https://h.example/${unclosed', 'unclosed placeholder'],
    ['https://h.example/${bad name}', 'not a valid variable name'],
    ['https://h.example/${}', 'not a valid variable name'],
    ['https://h.example/${1abc}', 'not a valid variable name'],
  ])('refuses the malformed template %s', (template, message) => {
    const error = failure(template, {});
    expect(error.kind).toBe('invalid-url');
    expect(error.message).toContain(message);
  });

  it('accepts the contract variable-name characters', () => {
    expect(rendered('https://h.example/${a.b-c_d}', { 'a.b-c_d': 'v' })).toBe('https://h.example/v');
  });

  it.each([
    ['ftp://h.example/${a}', 'http or https'],
    ['${a}', 'not a valid absolute URL'],
    ['https://user:pw@h.example/${a}', 'user information'],
    ['https://${a}@h.example/', 'user information'],
  ])('refuses %s', (template, message) => {
    const error = failure(template, { a: 'x' });
    expect(error.kind).toBe('invalid-url');
    expect(error.message).toContain(message);
  });

  it('refuses a value in the scheme or port that would change them', () => {
    expect(failure('${s}://h.example/', { s: 'javascript:alert(1)//' }).kind).toBe('invalid-url');
    expect(failure('https://h.example:${p}/', { p: '80@evil.example' }).kind).toBe('invalid-url');
  });

  it('allows a variable in the host; a value cannot smuggle a different host through it', () => {
    expect(rendered('https://${tenant}.example.com/x', { tenant: 'acme' })).toBe(
      'https://acme.example.com/x',
    );
    expect(failure('https://${tenant}.example.com/x', { tenant: 'evil.example/' }).kind).toBe('invalid-url');
    expect(failure('https://${tenant}.example.com/x', { tenant: 'evil.example#' }).kind).toBe('invalid-url');
    expect(failure('https://${tenant}.example.com/x', { tenant: 'evil.example?' }).kind).toBe('invalid-url');
  });

  it('refuses a rendered URL longer than the limit and a value that is not well-formed Unicode', () => {
    expect(failure('https://h.example/${a}', { a: 'x'.repeat(MAX_RENDERED_URL_LENGTH) }).message).toContain(
      'limit',
    );
    expect(failure('https://h.example/${a}', { a: 'bad\ud800' }).message).toContain('well-formed');
    expect(encodeValue('\udc00')).toBeNull();
  });

  it('never puts a substituted value into an error message', () => {
    const error = failure('https://h.example/${a}/${b}', { a: 'SECRET-VALUE' });
    expect(error.message).not.toContain('SECRET-VALUE');
  });

  it('splits a template into text and placeholders', () => {
    expect(parseTemplate('a${b}c$${d}')).toEqual({
      ok: true,
      pieces: [{ text: 'a' }, { name: 'b' }, { text: 'c${d}' }],
    });
  });
});

describe('URL templates: a value never moves the request to another host', () => {
  it('refuses any value in the host or port that is not one DNS label, naming the variable only', () => {
    for (const tenant of ['evil.example', 'a@b', 'x%2Eevil', 'ü', 'a b', '']) {
      const r = renderUrl('https://${tenant}.example.com/x', vars({ tenant }));
      expect(r.ok || r.error).toMatchObject({
        kind: 'invalid-url',
        message: expect.stringContaining('${tenant}'),
      });
    }
    expect(failure('https://h.example:${port}/', { port: '8080.evil' }).message).toContain('DNS label');
    // Empty, the parser would skip the empty host and take the path for it.
    expect(failure('https://${a}/path', { a: '' }).kind).toBe('invalid-url');
  });

  it('accepts a label in the host and leaves values after the authority to percent-encoding', () => {
    expect(
      rendered('https://${tenant}-api.example.com:${port}/a.b/${v}', {
        tenant: 'Acme-2',
        port: '8443',
        v: 'evil.example',
      }),
    ).toBe('https://acme-2-api.example.com:8443/a.b/evil%2Eexample');
    expect(rendered('https://h.example?next=${v}', { v: 'https://evil.example' })).toBe(
      'https://h.example/?next=https%3A%2F%2Fevil%2Eexample',
    );
  });

  const TEMPLATES = [
    'https://${a}.example.com/x/${b}?q=${c}#${a}',
    'https://api.example.com:${p}/${a}/${b}',
    'https://${a}/path',
    'http://h.example/${a}/${b}/${c}?${a}=${b}',
    'https://h.example\\${a}/x',
  ];
  const hostile = fc.constantFrom(
    'evil.example',
    'evil.example/',
    'evil.example#',
    'user:pw@evil.example',
    '%2e%2e',
    '..',
    '\\evil.example',
    '[::1]',
    '127.0.0.1',
    'a\u0000b',
    '\ud800',
  );
  const value = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 20 }),
    hostile,
    fc.stringMatching(/^[A-Za-z0-9-]{1,10}$/),
  );

  /** The host the template names once its placeholders hold these values, as a URL parser reads it. */
  const hostOf = (template: string, values: Record<string, string>) =>
    new URL(
      `https://${/^https?:\/\/([^/?#:\\]*)/.exec(template)![1].replace(/\$\{(\w+)\}/g, (_, n: string) => values[n])}`,
    ).hostname;

  it('property: any values give a URL on the template host, or an invalid-url / unresolved-variable error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TEMPLATES),
        fc.record({ a: value, b: value, c: value, p: value }, { requiredKeys: ['a', 'b'] }),
        (template, values) => {
          const r = renderUrl(template, vars(values as Record<string, string>));
          if (!r.ok) {
            expect(['invalid-url', 'unresolved-variable']).toContain(r.error.kind);
            return;
          }
          const url = new URL(r.url);
          expect(url.hostname).toBe(hostOf(template, values as Record<string, string>));
          expect(url.username + url.password).toBe('');
          expect(['http:', 'https:']).toContain(url.protocol);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
