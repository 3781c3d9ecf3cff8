import { SENDER_CODES, SenderError } from './attempt.error';
import { prepareRequest } from './request.headers';

const base = { idempotencyKey: 'evt.cb-1', userAgent: 'dispatch-callbacks/test' };

describe('request headers', () => {
  it('sends the idempotency key and user agent, and no body for a GET', () => {
    const r = prepareRequest({ ...base, method: 'GET', body: '{"ignored":true}' });
    expect(r.headers).toMatchObject({
      'idempotency-key': 'evt.cb-1',
      'user-agent': 'dispatch-callbacks/test',
    });
    expect(r.headers['content-type']).toBeUndefined();
    expect(r.headers['content-length']).toBeUndefined();
    expect(r.body.length).toBe(0);
  });

  it('sends a JSON body with its type and length for a POST', () => {
    const r = prepareRequest({ ...base, method: 'POST', body: '{"a":"ü"}' });
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['content-length']).toBe('10');
    expect(r.body.toString('utf8')).toBe('{"a":"ü"}');
  });

  it('sends an empty POST without a content type', () => {
    const r = prepareRequest({ ...base, method: 'POST' });
    expect(r.headers['content-length']).toBe('0');
    expect(r.headers['content-type']).toBeUndefined();
  });

  it('builds the Basic authorization header from the credentials', () => {
    const r = prepareRequest({ ...base, method: 'GET', basicAuth: { username: 'app', password: 'pä:ss' } });
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from('app:pä:ss').toString('base64')}`);
  });

  it.each([
    { username: 'a:b', password: 'hunter2-secret' },
    { username: 'a', password: 'p\r\nX-Injected: 1' },
  ])('refuses credentials Basic auth cannot carry, without quoting them', (basicAuth) => {
    let caught: unknown;
    try {
      prepareRequest({ ...base, method: 'GET', basicAuth });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SenderError);
    expect((caught as SenderError).code).toBe(SENDER_CODES.credentials);
    expect((caught as SenderError).message).not.toContain(basicAuth.password);
  });

  it('adds the three Standard Webhooks headers when signing', () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const r = prepareRequest({
      ...base,
      method: 'POST',
      body: '{}',
      signing: { secret, messageId: 'evt.cb-1', timestamp: new Date(0) },
    });
    expect(r.headers['webhook-id']).toBe('evt.cb-1');
    expect(r.headers['webhook-timestamp']).toBe('0');
    expect(r.headers['webhook-signature']).toMatch(/^v1,/);
  });

  it('reports an unusable signing secret as a credentials error', () => {
    expect(() =>
      prepareRequest({
        ...base,
        method: 'GET',
        signing: { secret: 'whsec_!!', messageId: 'm', timestamp: new Date() },
      }),
    ).toThrow(expect.objectContaining({ code: SENDER_CODES.credentials }));
  });
});
