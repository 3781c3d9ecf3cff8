import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret.box';

describe('SecretBox', () => {
  const sut = SecretBox.fromSpec(`k1:${randomBytes(32).toString('base64')}`);
  const sealed = () => sut.seal('p@ssw0rd', 'comm/cb/password');

  it('opens what it sealed, with the same additional data only', () => {
    expect(sut.open(sealed(), 'comm/cb/password')).toBe('p@ssw0rd');
    expect(() => sut.open(sealed(), 'comm/other/password')).toThrow();
  });

  it('seals with a 12-byte nonce and a 16-byte tag', () => {
    const s = sealed();
    expect([Buffer.from(s.iv, 'base64').length, Buffer.from(s.tag, 'base64').length]).toEqual([12, 16]);
  });

  it('refuses a shortened tag, which AES-GCM would otherwise check only as far as it goes', () => {
    const s = sealed();
    const short = { ...s, tag: Buffer.from(s.tag, 'base64').subarray(0, 4).toString('base64') };
    expect(() => sut.open(short, 'comm/cb/password')).toThrow(/16-byte tag/);
  });

  it('refuses a nonce of another length', () => {
    const s = sealed();
    const long = { ...s, iv: randomBytes(16).toString('base64') };
    expect(() => sut.open(long, 'comm/cb/password')).toThrow(/12-byte nonce/);
  });
});
