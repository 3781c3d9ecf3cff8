import { LOG_HEADERS } from '@app/contracts';
import { eventually } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { exampleEvents, freshCopy, RunningIngest, startIngest, testSetup } from './ingest.harness';

/**
 * The de-duplication window remembers ids of the log it was read from. When the log topic is
 * deleted and created again while ingest runs, an event sent again is not on the new log: it
 * must be appended, not dropped as a duplicate of the old log.
 */
describe('ingest: the de-duplication window of a recreated log', () => {
  const tk = new TestKafka();
  const { config, apiKey } = testSetup();
  const [example] = exampleEvents();
  let ingest: RunningIngest;

  beforeAll(async () => {
    ingest = await startIngest(config);
  });
  afterAll(async () => {
    await ingest?.close();
    await tk.close();
  });

  const post = (event: unknown) =>
    fetch(`${ingest.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(event),
    });
  const logIds = async () => (await tk.readAll(config.logTopic)).map((r) => r.headers[LOG_HEADERS.eventId]);
  const onLog = (id: string) =>
    eventually(async () => ((await logIds()).includes(id) ? true : undefined), { what: `${id} on the log` });

  it('appends again an event of the old log, over HTTP and from the inbound topic, then de-duplicates it', async () => {
    const viaHttp = JSON.parse(freshCopy(example).toString('utf8')) as { id: string };
    const viaKafka = freshCopy(example);
    const kafkaId = (JSON.parse(viaKafka.toString('utf8')) as { id: string }).id;
    expect((await post(viaHttp)).status).toBe(202);
    await tk.send(config.inboundTopic, [{ value: viaKafka }]);
    await onLog(viaHttp.id);
    await onLog(kafkaId);

    await tk.recreateTopic(config.logTopic, 3);
    expect(await logIds()).toEqual([]);

    // The producer sends both again: both belong on the new log.
    const again = await eventually(
      async () => {
        const res = await post(viaHttp);
        // 503 while the producer still has the deleted topic's metadata.
        return res.status === 202
          ? ((await res.json()) as { accepted: number; duplicates: number })
          : undefined;
      },
      { what: 'the HTTP re-send to be answered 202', intervalMs: 250 },
    );
    expect(again).toMatchObject({ accepted: 1, duplicates: 0 });
    await tk.send(config.inboundTopic, [{ value: viaKafka }]);
    await onLog(viaHttp.id);
    await onLog(kafkaId);

    // On the new log now, so a third send is a duplicate again (the window was rebuilt from it).
    const third = await post(viaHttp);
    expect(await third.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await logIds()).sort()).toEqual([viaHttp.id, kafkaId].sort());
  });
});
