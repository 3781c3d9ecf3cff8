import { createHash } from 'node:crypto';
import { COPY_HEADERS } from '@app/contracts';
import { QUARANTINE_LIMITS, quarantineCopy } from './quarantine.copy';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('quarantineCopy', () => {
  it('keeps a small record byte for byte, with its headers, and says how long it was', () => {
    const value = Buffer.from('{"id":"x","data":{"n":1}}');
    const sut = quarantineCopy(
      { key: Buffer.from('comm-1'), value, headers: { h: 'v' } },
      { 'x-why': 'test' },
    );
    expect(sut.value).toEqual(value);
    expect(sut.key).toEqual(Buffer.from('comm-1'));
    expect(sut.headers).toEqual({
      h: 'v',
      [COPY_HEADERS.originalBytes]: String(value.length),
      [COPY_HEADERS.sha256]: sha(value),
      'x-why': 'test',
    });
  });

  it('keeps only the head of a huge value, with its length and hash', () => {
    const value = Buffer.alloc(3 * 1024 * 1024, 'a');
    const sut = quarantineCopy({ key: null, value }, {});
    expect((sut.value as Buffer).length).toBe(QUARANTINE_LIMITS.valueBytes);
    expect(sut.headers).toMatchObject({
      [COPY_HEADERS.originalBytes]: String(value.length),
      [COPY_HEADERS.sha256]: sha(value),
      [COPY_HEADERS.truncated]: 'true',
    });
  });

  it('redacts secrets in clear and says what it redacted', () => {
    const value = Buffer.from(
      '{"credentials":{"password":"hunter2"},"signingSecret":"whsec_abc","url":"https://u:p@h.example/"}',
    );
    const sut = quarantineCopy({ key: null, value }, {});
    const text = (sut.value as Buffer).toString();
    expect(text).not.toMatch(/hunter2|whsec_abc|u:p@/);
    expect(text).toContain('"url":"https://[redacted]@h.example/"');
    expect(sut.headers).toMatchObject({
      [COPY_HEADERS.redacted]: 'password:1,signingSecret:1,url-userinfo:1',
      [COPY_HEADERS.sha256]: sha(sut.value as Buffer),
    });
  });

  it('bounds the key and leaves out original headers that are too large, counting them', () => {
    const headers = { a: 'x'.repeat(QUARANTINE_LIMITS.headersBytes), b: 'y' };
    const sut = quarantineCopy({ key: Buffer.alloc(10_000, 'k'), value: null, headers }, { mine: '1' });
    expect((sut.key as Buffer).length).toBe(QUARANTINE_LIMITS.keyBytes);
    expect(sut.headers).toEqual({ [COPY_HEADERS.headersDropped]: '2', mine: '1' });
  });

  it('lets no original header pass itself off as one of ours', () => {
    const sut = quarantineCopy(
      { key: null, value: Buffer.from('x'), headers: { 'x-why': 'forged' } },
      { 'x-why': 'real' },
    );
    expect(sut.headers!['x-why']).toBe('real');
  });
});
