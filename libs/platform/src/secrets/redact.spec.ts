import { redactSecretFields, redactUrl } from './redact';

describe('redactSecretFields', () => {
  it('replaces the values of password and signingSecret fields, however they are spaced or escaped', () => {
    const raw = '{"password" : "a\\"b\\\\c", "x": {"signingSecret":"whsec_Zm9vYmFy"}, "other": "password"}';
    const sut = redactSecretFields(Buffer.from(raw));
    expect(sut.bytes.toString()).toBe(
      '{"password" : "[redacted]", "x": {"signingSecret":"[redacted]"}, "other": "password"}',
    );
    expect(sut.counts).toEqual({ password: 1, signingSecret: 1 });
  });

  it('replaces userinfo in URLs and leaves an @ in a path or query alone', () => {
    const raw = '{"url":"https://user:pw@h.example/a@b?c=d@e","b":"http://x@y.example"}';
    expect(redactSecretFields(Buffer.from(raw)).bytes.toString()).toBe(
      '{"url":"https://[redacted]@h.example/a@b?c=d@e","b":"http://[redacted]@y.example"}',
    );
  });

  it('works on bytes that are not JSON nor UTF-8, keeping every other byte', () => {
    const raw = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"password":"pw" trailing {'),
      Buffer.from([0xc3]),
    ]);
    const sut = redactSecretFields(raw);
    expect(sut.bytes).toEqual(
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"password":"[redacted]" trailing {'),
        Buffer.from([0xc3]),
      ]),
    );
  });

  it('returns the same buffer when there is nothing to redact, and leaves sealed secrets alone', () => {
    const raw = Buffer.from('{"password":{"alg":"A256GCM","ct":"AAAA"}}');
    const sut = redactSecretFields(raw);
    expect(sut.bytes).toBe(raw);
    expect(sut.counts).toEqual({});
  });
});

describe('redactUrl', () => {
  it('removes user information', () => {
    expect(redactUrl('https://u:p@h.example/x')).toBe('https://h.example/x');
  });
});
