import { LOG_HEADERS, PARKED_HEADERS } from '@app/contracts';
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

/**
 * A record that always fails to append (here: a valid event larger than what the operator let the
 * log topic accept) is retried, isolated and parked; the partition goes on with the records after
 * it. Before, ingest re-read the same batch forever.
 */
describe('ingest parks a record it can never append', () => {
  const tk = new TestKafka();
  const { config, apiKey } = testSetup({ INBOUND_PARTITIONS: '1', METRICS_REQUIRE_KEY: 'true' });
  const [, sent] = exampleEvents();
  let ingest: RunningIngest | undefined;
  let admin: Admin;

  beforeAll(async () => {
    admin = tk.kafka.admin();
    await admin.connect();
    // The log refuses record batches over 16 KiB: an event of 40 KiB (valid: the limit is 64 KiB)
    // can never be appended, while small events, alone or together, can.
    await admin.createTopics({
      topics: [
        {
          topic: config.logTopic,
          numPartitions: config.logPartitions,
          configEntries: [{ name: 'max.message.bytes', value: String(16 * 1024) }],
        },
      ],
      waitForLeaders: true,
    });
    ingest = await startIngest(config);
  });
  afterAll(async () => {
    await ingest?.close();
    await admin
      .deleteTopics({
        topics: [config.inboundTopic, config.deadLetterTopic, config.logTopic, config.parkedTopic],
      })
      .catch(() => undefined);
    await admin.disconnect();
    await tk.close();
  });

  const small = () => freshCopy(sent);
  const big = () => {
    const v = JSON.parse(small().toString());
    v.data.memberAttributes.essay = 'e'.repeat(40 * 1024);
    return Buffer.from(JSON.stringify(v));
  };
  const idOf = (b: Buffer) => JSON.parse(b.toString()).id as string;

  it('appends the records around it, parks it with the reason and its position, and goes on', async () => {
    const batch = [small(), small(), big(), small()];
    const key = JSON.parse(batch[0].toString()).communicationId as string;
    await tk.send(
      config.inboundTopic,
      batch.map((value) => ({ key, value })),
    );
    await eventually(
      async () =>
        (await committedCount(admin, config.consumerGroup, config.inboundTopic)) >= 4 ? true : undefined,
      {
        what: 'the batch committed',
        timeoutMs: 60_000,
      },
    );

    const log = await readAtLeast(tk, config.logTopic, 3);
    expect(log.map((r) => r.headers[LOG_HEADERS.eventId])).toEqual([0, 1, 3].map((i) => idOf(batch[i])));
    const [parked] = await readAtLeast(tk, config.parkedTopic, 1);
    expect(parked.headers).toMatchObject({
      [PARKED_HEADERS.consumer]: 'ingest',
      [PARKED_HEADERS.code]: 'MESSAGE_TOO_LARGE',
      [PARKED_HEADERS.attempts]: '2',
      [PARKED_HEADERS.sourceTopic]: config.inboundTopic,
      [PARKED_HEADERS.sourcePartition]: '0',
      [PARKED_HEADERS.sourceOffset]: '2',
      [PARKED_HEADERS.eventId]: idOf(batch[2]),
    });
    expect(parked.value!.equals(batch[2])).toBe(true);
    expect(await tk.readAll(config.deadLetterTopic)).toEqual([]);

    // The partition moved on: the next record is appended as usual.
    const after = small();
    await tk.send(config.inboundTopic, [{ key, value: after }]);
    const next = await readAtLeast(tk, config.logTopic, 4);
    expect(next[3].headers[LOG_HEADERS.eventId]).toBe(idOf(after));

    // Counted, and (METRICS_REQUIRE_KEY) shown only to a caller with an API key.
    expect((await fetch(`${ingest!.url}/metrics`)).status).toBe(401);
    const metrics = await (
      await fetch(`${ingest!.url}/metrics`, { headers: { 'x-api-key': apiKey } })
    ).text();
    expect(metrics).toMatch(/records_parked_total\{consumer="ingest"\} 1/);
  });
});
