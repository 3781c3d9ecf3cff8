import { SecretBox } from '@app/platform';
import { Admin } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IngestConfig, loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { RunningIngest, startIngest } from '../../apps/ingest/src/ingest.app';
import { eventually, kafkaBrokers, uniqueName } from '../support/environment';
import { ReadRecord, TestKafka } from '../support/kafka';

export const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples', 'events');

export interface ExampleEvent {
  file: string;
  bytes: Buffer;
  value: { id: string; type: string; communicationId: string } & Record<string, unknown>;
}

/** The committed example events, in file order (which is also their order in time). */
export function exampleEvents(): ExampleEvent[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const bytes = readFileSync(join(EXAMPLES_DIR, file));
      return { file, bytes, value: JSON.parse(bytes.toString('utf8')) as ExampleEvent['value'] };
    });
}

/** An example event with a fresh id and time (and optionally another communication), as JSON bytes. */
export function freshCopy(e: ExampleEvent, communicationId?: string): Buffer {
  const fresh = { id: randomUUID(), occurredAt: new Date().toISOString() };
  return Buffer.from(JSON.stringify({ ...e.value, ...fresh, ...(communicationId && { communicationId }) }));
}

export interface TestSetup {
  config: IngestConfig;
  apiKey: string;
  /** Opens what ingest sealed (same key ring). */
  box: SecretBox;
}

/** A configuration with unique topics, group and transactional ids, a fresh key and an API key. */
export function testSetup(env: Record<string, string> = {}): TestSetup {
  const keys = `t1:${randomBytes(32).toString('base64')}`;
  const apiKey = `test-${randomBytes(16).toString('hex')}`;
  const config = loadIngestConfig({
    KAFKA_BROKERS: kafkaBrokers().join(','),
    INBOUND_TOPIC: uniqueName('inbound'),
    DLQ_TOPIC: uniqueName('dlq'),
    LOG_TOPIC: uniqueName('log'),
    INBOUND_PARTITIONS: '2',
    LOG_PARTITIONS: '3',
    CONSUMER_GROUP: uniqueName('ingest'),
    TRANSACTIONAL_ID_PREFIX: uniqueName('ingest-txn'),
    HTTP_TRANSACTIONAL_ID: uniqueName('ingest-http'),
    SECRETS_KEYS: keys,
    API_KEYS: apiKey,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    DEDUP_REBUILD_TIMEOUT_MS: '15000',
    // The committed examples carry fixed dates in the past; the window has tests of its own.
    OCCURRED_AT_WINDOW_SECONDS: String(10 * 366 * 24 * 3600),
    PARKED_TOPIC: uniqueName('parked'),
    ...env,
  });
  return { config, apiKey, box: SecretBox.fromSpec(keys) };
}

export { startIngest };
export type { RunningIngest };

/** Sum of the offsets the group has committed on a topic (= records it has finished with). */
export async function committedCount(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return t.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/**
 * Every record of a topic once it holds at least `count`. A committed transaction's records become
 * visible to read_committed readers only after the broker writes its commit markers, a moment after
 * the commit (and the group's offsets) returned.
 */
export async function readAtLeast(tk: TestKafka, topic: string, count: number): Promise<ReadRecord[]> {
  return eventually(
    async () => {
      const records = await tk.readAll(topic);
      return records.length >= count ? records : undefined;
    },
    { what: `${count} records on ${topic}` },
  );
}
