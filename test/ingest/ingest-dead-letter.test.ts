import { DLQ_HEADERS, LIMITS, LOG_HEADERS } from '@app/contracts';
import { Admin } from 'kafkajs';
import { eventually } from '../support/environment';
import { TestKafka } from '../support/kafka';
import {
  committedCount,
  exampleEvents,
  freshCopy,
  readAtLeast,
  RunningIngest,
  startIngest,
  testSetup,
} from './ingest.harness';

/** Every kind of bad input lands on the dead-letter topic, as it was, with its reason. */
describe('ingest dead-letters bad input and keeps going', () => {
  const tk = new TestKafka();
  const { config } = testSetup({ INBOUND_PARTITIONS: '1' });
  const [configured, sent, , , completed] = exampleEvents();
  let ingest: RunningIngest;
  let admin: Admin;

  beforeAll(async () => {
    admin = tk.kafka.admin();
    await admin.connect();
    ingest = await startIngest(config);
  });
  afterAll(async () => {
    await ingest.close();
    await admin.disconnect();
    await tk.close();
  });

  const variant = (change: (v: Record<string, unknown>) => void) => {
    const v = JSON.parse(freshCopy(sent).toString('utf8'));
    change(v);
    return Buffer.from(JSON.stringify(v));
  };
  const completedValue = JSON.parse(completed.bytes.toString('utf8'));

  const bad: { name: string; code: string; value: Buffer | null; issuePath?: string }[] = [
    { name: 'malformed JSON', code: 'malformed-json', value: Buffer.from('{"id": "0c0f8f0e-') },
    { name: 'a null value', code: 'malformed-json', value: null },
    { name: 'an unknown type', code: 'unknown-type', value: variant((v) => (v.type = 'MessageExploded')) },
    {
      name: 'an internal type',
      code: 'internal-type',
      value: variant((v) => (v.type = 'CallbackFailed')),
    },
    { name: 'an unknown version', code: 'unknown-version', value: variant((v) => (v.version = 99)) },
    {
      name: 'a missing field',
      code: 'invalid-data',
      issuePath: 'data.batchId',
      value: variant((v) => delete (v.data as Record<string, unknown>).batchId),
    },
    {
      name: 'a mistyped field',
      code: 'invalid-data',
      issuePath: 'data.messageCount',
      value: Buffer.from(
        JSON.stringify({
          ...completedValue,
          id: crypto.randomUUID(),
          data: { ...completedValue.data, messageCount: 'ten' },
        }),
      ),
    },
    {
      name: 'a bad envelope',
      code: 'invalid-envelope',
      issuePath: 'id',
      value: variant((v) => (v.id = 'not-a-uuid')),
    },
    {
      name: 'an oversize event',
      code: 'oversize',
      value: variant((v) => ((v.data as Record<string, unknown>).pad = 'x'.repeat(LIMITS.maxEventBytes))),
    },
  ];

  it('sends each kind of bad input to the DLQ with its reason while the good events around it are appended', async () => {
    const good = [freshCopy(configured), ...bad.map(() => freshCopy(sent))];
    const records = good.flatMap((g, i) => [
      { key: configured.value.communicationId, value: g },
      ...(bad[i] ? [{ key: `bad-${i}`, value: bad[i].value, headers: { 'trace-id': `trace-${i}` } }] : []),
    ]);
    await tk.send(config.inboundTopic, records);
    await eventually(
      async () =>
        (await committedCount(admin, config.consumerGroup, config.inboundTopic)) >= records.length
          ? true
          : undefined,
      { what: 'every inbound record committed' },
    );

    const log = await readAtLeast(tk, config.logTopic, good.length);
    expect(log.map((r) => r.headers[LOG_HEADERS.eventId])).toEqual(
      good.map((g) => JSON.parse(g.toString()).id),
    );

    const dlq = await readAtLeast(tk, config.deadLetterTopic, bad.length);
    expect(dlq).toHaveLength(bad.length);
    const inbound = await tk.readAll(config.inboundTopic);
    for (const [i, b] of bad.entries()) {
      const d = dlq[i];
      expect({ case: b.name, code: d.headers[DLQ_HEADERS.code] }).toEqual({ case: b.name, code: b.code });
      expect(d.key).toBe(`bad-${i}`);
      // The original bytes, untouched (a null value stays null).
      expect(d.value === null ? null : d.value.equals(b.value!)).toBe(b.value === null ? null : true);
      expect(d.headers['trace-id']).toBe(`trace-${i}`);
      expect(d.headers[DLQ_HEADERS.reason].length).toBeGreaterThan(0);
      const issues = JSON.parse(d.headers[DLQ_HEADERS.issues]) as { path: string }[];
      if (b.issuePath) expect(issues.map((x) => x.path)).toContain(b.issuePath);
      expect(d.headers[DLQ_HEADERS.sourceTopic]).toBe(config.inboundTopic);
      const source = inbound.find((r) => r.offset === d.headers[DLQ_HEADERS.sourceOffset]);
      expect(source?.key).toBe(`bad-${i}`);
      expect(d.headers[DLQ_HEADERS.sourcePartition]).toBe(String(source?.partition));
      expect(Number.isNaN(Date.parse(d.headers[DLQ_HEADERS.at]))).toBe(false);
    }
  });

  it('counts rejections by code in the Prometheus metrics', async () => {
    const text = await (await fetch(`${ingest.url}/metrics`)).text();
    for (const code of [
      'malformed-json',
      'unknown-type',
      'internal-type',
      'unknown-version',
      'invalid-data',
      'oversize',
    ]) {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`ingest_events_rejected_total{source="kafka",code="${code}"}`));
      expect({ code, count: Number(line?.split(' ').pop()) >= 1 }).toEqual({ code, count: true });
    }
  });
});
