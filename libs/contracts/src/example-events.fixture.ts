import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope } from './envelope/envelope';
import type { SealedSecret } from './events/secrets';
import type { EventType, InboundData, StoredData } from './registry';

/**
 * Test fixtures for the contract specs: the committed example events (the same files producers read
 * in the documentation) and small builders for the internal events, which have no example file.
 */

export const EXAMPLES_DIR = join(__dirname, '..', '..', '..', 'examples', 'events');

export interface ExampleFile {
  file: string;
  bytes: Buffer;
  value: { type: string } & Record<string, unknown>;
}

export function exampleFiles(): ExampleFile[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const bytes = readFileSync(join(EXAMPLES_DIR, file));
      return { file, bytes, value: JSON.parse(bytes.toString('utf8')) as ExampleFile['value'] };
    });
}

/** A fresh, mutable copy of the example of one inbound type. */
export function exampleOf<K extends EventType>(type: K): Envelope<K, InboundData<K>> {
  const found = exampleFiles().find((e) => e.value.type === type);
  if (!found) throw new Error(`no example of ${type} in ${EXAMPLES_DIR}`);
  return structuredClone(found.value) as unknown as Envelope<K, InboundData<K>>;
}

/** A well-formed sealed secret (random bytes: its shape is what the contract checks). */
export const fakeSealed = (): SealedSecret => ({
  alg: 'A256GCM',
  keyId: 'k-2026-01',
  iv: randomBytes(12).toString('base64'),
  tag: randomBytes(16).toString('base64'),
  ct: randomBytes(24).toString('base64'),
});

/** The example configuration as ingest would store it: every secret sealed. */
export function storedConfigurationExample(): Envelope<
  'CommunicationConfigured',
  StoredData<'CommunicationConfigured'>
> {
  const inbound = exampleOf('CommunicationConfigured');
  return {
    ...inbound,
    data: {
      ...inbound.data,
      callbacks: inbound.data.callbacks.map((c) => ({
        ...c,
        credentials: c.credentials && { ...c.credentials, password: fakeSealed() },
        signingSecret: c.signingSecret === undefined ? undefined : fakeSealed(),
      })),
    },
  };
}

const envelope = <K extends EventType>(type: K, id: string, occurredAt: string) => ({
  id,
  type,
  version: 1,
  occurredAt,
  communicationId: 'comm-2026-fall-reminders',
});

/** A `CallbackAttempted` for the example `MessageSent`, as the dispatcher appends it. */
export function callbackAttemptedExample(): Envelope<'CallbackAttempted', StoredData<'CallbackAttempted'>> {
  const sent = exampleOf('MessageSent');
  return {
    ...envelope('CallbackAttempted', '5b0d8f1e-2c4a-4e6b-9d8f-1a2b3c4d5e6f', '2026-11-03T09:00:05.410Z'),
    data: {
      callbackId: `${sent.id}.student-mail-history`,
      callbackConfigId: 'student-mail-history',
      triggerEventId: sent.id,
      triggerType: 'MessageSent',
      messageId: sent.data.messageId,
      method: 'GET',
      url: 'https://apps.example.edu/registrar/v2/students/00482913/mailhistory/e9f4d4ee-8318-4895-a3fb-1dfaa49cd66d',
      attempt: 1,
      startedAt: '2026-11-03T09:00:05.102Z',
      durationMs: 308,
      statusCode: 503,
      error: { kind: 'status', message: 'HTTP 503' },
      responseSnippet: 'Service Unavailable',
      outcome: 'retrying',
      nextAttemptAt: '2026-11-03T09:05:05.410Z',
    },
  };
}
