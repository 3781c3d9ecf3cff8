import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { signingKeyOf, signWebhook } from './webhook.signature';

const secret = `whsec_${randomBytes(24).toString('base64')}`;

describe('Standard Webhooks signature', () => {
  it('produces headers that the standardwebhooks library verifies, for a POST body', () => {
    const body = JSON.stringify({ communicationId: 'c', batchId: 'b' });
    const headers = signWebhook(secret, 'msg_1', new Date(), body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(() => new Webhook(secret).verify(body, { ...headers })).not.toThrow();
  });

  it('signs the empty string for a GET', () => {
    const headers = signWebhook(secret, 'msg_2', new Date(), '');
    expect(() => new Webhook(secret).verify('', { ...headers })).not.toThrow();
    expect(() => new Webhook(secret).verify('x', { ...headers })).toThrow();
  });

  it('uses whole seconds and the given id', () => {
    const headers = signWebhook(secret, 'cb-1', new Date('2026-03-01T10:00:00.999Z'), '');
    expect(headers['webhook-timestamp']).toBe(String(Date.UTC(2026, 2, 1, 10) / 1000));
    expect(headers['webhook-id']).toBe('cb-1');
  });

  it('does not verify with another secret', () => {
    const headers = signWebhook(secret, 'msg_3', new Date(), 'body');
    const other = `whsec_${randomBytes(24).toString('base64')}`;
    expect(() => new Webhook(other).verify('body', { ...headers })).toThrow();
  });

  it('refuses a secret that is not base64 or too short', () => {
    expect(() => signingKeyOf('whsec_not base64!')).toThrow('not base64');
    expect(() => signingKeyOf('whsec_c2hvcnQ=')).toThrow('shorter than 16 bytes');
  });
});
