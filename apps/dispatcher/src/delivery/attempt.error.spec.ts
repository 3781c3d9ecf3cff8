import { describeError, errorKindOf, SENDER_CODES, SenderError } from './attempt.error';

const withCode = (code: string, message = 'some text that must not matter') =>
  Object.assign(new Error(message), { code });

describe('attempt errors', () => {
  it.each([
    ['ECONNREFUSED', 'connection-refused'],
    ['ECONNRESET', 'connection-reset'],
    ['EPIPE', 'connection-reset'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ETIMEDOUT', 'timeout'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['EHOSTUNREACH', 'network'],
    ['HPE_INVALID_CONSTANT', 'network'],
    [SENDER_CODES.blocked, 'blocked'],
    [SENDER_CODES.timeout, 'timeout'],
    [SENDER_CODES.credentials, 'credentials'],
    [SENDER_CODES.invalidUrl, 'invalid-url'],
  ])('classifies code %s as %s', (code, kind) => {
    expect(errorKindOf(withCode(code))).toBe(kind);
  });

  it('classifies by code, never by message text', () => {
    expect(errorKindOf(withCode('ECONNRESET', 'connect ECONNREFUSED 127.0.0.1:1'))).toBe('connection-reset');
    expect(errorKindOf(new Error('getaddrinfo ENOTFOUND example.com'))).toBe('network');
    expect(errorKindOf('a string')).toBe('network');
    expect(errorKindOf(null)).toBe('network');
  });

  it("describes Node's errors by code and target only, not by their message", () => {
    const d = describeError(withCode('ECONNREFUSED', 'connect to http://user:secret@h/'), 'h.example:443');
    expect(d).toEqual({
      kind: 'connection-refused',
      message: 'connection refused (ECONNREFUSED) for h.example:443',
    });
  });

  it('keeps the message of our own errors', () => {
    expect(describeError(new SenderError(SENDER_CODES.blocked, 'blocked: 10.0.0.1'), 'x')).toEqual({
      kind: 'blocked',
      message: 'blocked: 10.0.0.1',
    });
  });
});
