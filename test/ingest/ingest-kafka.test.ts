import { LOG_HEADERS, secretAad, validateEvent } from '@app/contracts';
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
 * The Kafka path end to end against the real broker: every example event goes from the inbound
 * topic onto the log once, in order, sealed — also when sent twice and across a restart.
 */
describe('ingest from the inbound topic to the event log', () => {
  const tk = new TestKafka();
  const setup = testSetup();
  const { config } = setup;
  const examples = exampleEvents();
  let ingest: RunningIngest | undefined;
  let admin: Admin;

  beforeAll(async () => {
    admin = tk.kafka.admin();
    await admin.connect();
    ingest = await startIngest(config);
  });
  afterAll(async () => {
    await ingest?.close();
    await admin.disconnect();
    await tk.close();
  });

  const sendExamples = () =>
    tk.send(
      config.inboundTopic,
      examples.map((e) => ({ key: e.value.communicationId, value: e.bytes })),
    );
  const consumed = (n: number) =>
    eventually(
      async () =>
        (await committedCount(admin, config.consumerGroup, config.inboundTopic)) >= n ? true : undefined,
      { what: `${n} inbound records committed` },
    );

  it('appends every example event exactly once, in order, even when each is sent twice', async () => {
    expect(examples.map((e) => e.value.type)).toEqual([
      'CommunicationConfigured',
      'MessageSent',
      'MessageDeliveryStatusChanged',
      'MessageDeliveryProblem',
      'CommunicationCompleted',
    ]);
    await sendExamples();
    await sendExamples();
    await consumed(2 * examples.length);

    const log = await readAtLeast(tk, config.logTopic, examples.length);
    expect(log.map((r) => r.headers[LOG_HEADERS.eventId])).toEqual(examples.map((e) => e.value.id));
    for (const [i, r] of log.entries()) {
      expect(r.key).toBe(examples[i].value.communicationId);
      expect(r.headers[LOG_HEADERS.type]).toBe(examples[i].value.type);
      expect(r.headers[LOG_HEADERS.version]).toBe('1');
      expect(validateEvent(JSON.parse(r.value!.toString('utf8')), 'stored').ok).toBe(true);
    }
    // Nothing went to the dead-letter topic.
    expect(await tk.readAll(config.deadLetterTopic)).toHaveLength(0);
  });

  it('never writes a password or signing secret in clear, and the sealed values open with the key', async () => {
    const configured = examples[0].value as unknown as {
      communicationId: string;
      data: { callbacks: { id: string; credentials?: { password: string }; signingSecret?: string }[] };
    };
    const secrets = configured.data.callbacks
      .flatMap((c) => [c.credentials?.password, c.signingSecret])
      .filter((s): s is string => !!s);
    expect(secrets.length).toBeGreaterThanOrEqual(2);

    const log = await tk.readAll(config.logTopic);
    const raw = Buffer.concat(
      log.flatMap((r) => [r.value ?? Buffer.alloc(0), Buffer.from(JSON.stringify(r.headers))]),
    );
    for (const s of secrets) {
      expect(raw.includes(Buffer.from(s))).toBe(false);
      // Not even the base64 form of the clear value.
      expect(raw.includes(Buffer.from(Buffer.from(s).toString('base64')))).toBe(false);
    }

    const stored = JSON.parse(log[0].value!.toString('utf8'));
    const opened: string[] = [];
    for (const c of stored.data.callbacks) {
      if (c.credentials) {
        expect(c.credentials.password.keyId).toBe('t1');
        opened.push(
          setup.box.open(c.credentials.password, secretAad(configured.communicationId, c.id, 'password')),
        );
      }
      if (c.signingSecret) {
        opened.push(
          setup.box.open(c.signingSecret, secretAad(configured.communicationId, c.id, 'signingSecret')),
        );
      }
    }
    expect(opened.sort()).toEqual([...secrets].sort());
  });

  it('keeps skipping the same events after a restart, and appends new ones', async () => {
    await ingest!.close();
    ingest = undefined;
    const before = examples.length * 2;
    // Sent while ingest is down: the restarted instance reads them after rebuilding its window.
    await sendExamples();
    const fresh = freshCopy(examples[1]);
    await tk.send(config.inboundTopic, [{ key: examples[1].value.communicationId, value: fresh }]);
    ingest = await startIngest(config);
    await consumed(before + examples.length + 1);

    const ids = (await readAtLeast(tk, config.logTopic, examples.length + 1)).map(
      (r) => r.headers[LOG_HEADERS.eventId],
    );
    expect(ids).toEqual([...examples.map((e) => e.value.id), JSON.parse(fresh.toString()).id]);
  });
});
