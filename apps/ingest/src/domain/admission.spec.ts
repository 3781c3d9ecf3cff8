import { secretAad, validateEvent } from '@app/contracts';
import { SecretBox } from '@app/platform';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { admitEvent } from './admission';

const example = (file: string) => readFileSync(join(__dirname, '../../../../examples/events', file));

/** The examples happened on 2026-11-03; they arrive the same day. */
const arrival = { receivedAtMs: Date.parse('2026-11-03T12:00:00Z'), occurredAtWindowMs: 7 * 86_400_000 };

describe('admitEvent', () => {
  const sut = SecretBox.fromSpec(`k1:${randomBytes(32).toString('base64')}`);

  it('seals every password and signing secret bound to its callback and field', () => {
    const bytes = example('01-CommunicationConfigured.json');
    const verdict = admitEvent(bytes, sut, arrival);
    if (!verdict.ok || verdict.event.type !== 'CommunicationConfigured') throw new Error('not admitted');
    const inbound = JSON.parse(bytes.toString('utf8'));
    const [withPassword, withSecret] = verdict.event.data.callbacks;
    const { communicationId } = verdict.event;
    expect(
      sut.open(withPassword.credentials!.password, secretAad(communicationId, withPassword.id, 'password')),
    ).toBe(inbound.data.callbacks[0].credentials.password);
    expect(
      sut.open(withSecret.signingSecret!, secretAad(communicationId, withSecret.id, 'signingSecret')),
    ).toBe(inbound.data.callbacks[1].signingSecret);
    expect(() =>
      sut.open(withSecret.signingSecret!, secretAad(communicationId, 'other', 'signingSecret')),
    ).toThrow();
    expect(JSON.stringify(verdict.event)).not.toContain(inbound.data.callbacks[0].credentials.password);
    expect(validateEvent(verdict.event, 'stored').ok).toBe(true);
  });

  it('passes events without secrets through unchanged', () => {
    const bytes = example('02-MessageSent.json');
    const verdict = admitEvent(bytes, sut, arrival);
    expect(verdict.ok && verdict.event).toEqual(JSON.parse(bytes.toString('utf8')));
  });

  it('rejects with the contract code', () => {
    const verdict = admitEvent(Buffer.from('{"id":'), sut, arrival);
    expect(!verdict.ok && verdict.rejection.code).toBe('malformed-json');
  });

  it('rejects an event that happened further from its arrival than the window allows', () => {
    const late = { ...arrival, receivedAtMs: Date.parse('2026-11-20T12:00:00Z') };
    const verdict = admitEvent(example('02-MessageSent.json'), sut, late);
    expect(!verdict.ok && verdict.rejection).toMatchObject({
      code: 'invalid-envelope',
      issues: [{ path: 'occurredAt' }],
    });
  });
});
