import { LOG_HEADERS } from '@app/contracts';
import { eventually } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { exampleEvents, freshCopy, RunningIngest, startIngest, testSetup } from './ingest.harness';

/** POST /v1/events against a running ingest and the real broker. */
describe('ingest over HTTP', () => {
  const tk = new TestKafka();
  const setup = testSetup({ HTTP_BODY_LIMIT_BYTES: String(256 * 1024), HTTP_MAX_EVENTS: '10' });
  const { config, apiKey } = setup;
  const examples = exampleEvents();
  let ingest: RunningIngest;

  beforeAll(async () => {
    ingest = await startIngest(config);
  });
  afterAll(async () => {
    await ingest.close();
    await tk.close();
  });

  const post = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${apiKey}` }) =>
    fetch(`${ingest.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const logIds = async () => (await tk.readAll(config.logTopic)).map((r) => r.headers[LOG_HEADERS.eventId]);
  const json = (b: Buffer) => JSON.parse(b.toString('utf8'));
  interface Answer {
    error: { code: string; issues: { index: number; path: string }[] };
    accepted: number;
    duplicates: number;
    events: { id: string; outcome: string }[];
  }
  const answer = async (res: Response): Promise<Answer> => (await res.json()) as Answer;

  it('answers 401 without a valid API key and appends nothing', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-key-wrong-key' },
      { 'x-api-key': `${apiKey}x` },
    ];
    for (const headers of attempts) {
      const res = await post(json(freshCopy(examples[1])), headers);
      expect(res.status).toBe(401);
      expect((await answer(res)).error.code).toBe('unauthorized');
    }
    expect(await logIds()).toEqual([]);
  });

  it('answers 202 once every example event is on the log, then counts a re-send as duplicates', async () => {
    const body = examples.map((e) => e.value);
    const res = await post(body);
    expect(res.status).toBe(202);
    expect(await answer(res)).toMatchObject({ accepted: examples.length, duplicates: 0 });
    // 202 means the transaction committed; read_committed readers see the records once the broker
    // has written the commit markers, a moment later.
    const want = examples.map((e) => e.value.id);
    await eventually(async () => ((await logIds()).length >= want.length ? true : undefined), {
      what: 'the accepted events on the log',
    });
    expect(await logIds()).toEqual(want);

    const again = await post(examples[2].value, { 'x-api-key': apiKey });
    expect(again.status).toBe(202);
    expect(await answer(again)).toEqual({
      accepted: 0,
      duplicates: 1,
      events: [{ id: examples[2].value.id, outcome: 'duplicate' }],
    });
    expect(await logIds()).toHaveLength(examples.length);

    // Sealed on this path too: the clear password is nowhere in the log's bytes.
    const password = (
      examples[0].value as unknown as { data: { callbacks: { credentials?: { password: string } }[] } }
    ).data.callbacks[0].credentials!.password;
    const raw = Buffer.concat((await tk.readAll(config.logTopic)).map((r) => r.value!));
    expect(raw.includes(Buffer.from(password))).toBe(false);
  });

  it('answers 400 with field errors per index and appends nothing when one item is invalid', async () => {
    const good = json(freshCopy(examples[1]));
    const broken = json(freshCopy(examples[1]));
    delete broken.data.batchId;
    broken.data.memberAttributes = 'not-an-object';
    const before = await logIds();

    const res = await post([good, broken]);
    expect(res.status).toBe(400);
    const body = await answer(res);
    expect(body.error.code).toBe('invalid-events');
    expect(body.error.issues.map((i) => [i.index, i.path]).sort()).toEqual([
      [1, 'data.batchId'],
      [1, 'data.memberAttributes'],
    ]);
    expect(await logIds()).toEqual(before);

    // The valid item was neither appended nor remembered as seen.
    const alone = await post(good);
    expect(await answer(alone)).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('answers 400 for malformed JSON, an empty array and too many events', async () => {
    const malformed = await post('{"id": ');
    expect(malformed.status).toBe(400);
    expect((await answer(malformed)).error.code).toBe('malformed-json');
    const empty = await post([]);
    expect((await answer(empty)).error.code).toBe('empty');
    const many = await post(Array.from({ length: 11 }, () => json(freshCopy(examples[1]))));
    expect(many.status).toBe(400);
    expect((await answer(many)).error.code).toBe('too-many-events');
  });

  it('answers 400, never a 500, for hostile items: deep nesting, a URL with a password, a date far off', async () => {
    const before = await logIds();
    // Written as text: a JSON.stringify of it would overflow this test's own stack.
    const deep = JSON.stringify({ ...json(freshCopy(examples[1])), data: 'DEEP' }).replace(
      '"DEEP"',
      `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
    );
    const configured = json(freshCopy(examples[0]));
    configured.data.callbacks[0].url = 'https://user:secret-in-url@apps.example.edu/x';
    const old = { ...json(freshCopy(examples[1])), occurredAt: '2001-01-01T00:00:00Z' };
    const res = await post(`[${deep},${JSON.stringify(configured)},${JSON.stringify(old)}]`);
    expect(res.status).toBe(400);
    expect((await answer(res)).error.issues).toEqual([
      expect.objectContaining({ index: 0, code: 'too-deep' }),
      expect.objectContaining({ index: 1, code: 'invalid-data', path: 'data.callbacks.0.url' }),
      expect.objectContaining({ index: 2, code: 'invalid-envelope', path: 'occurredAt' }),
    ]);
    expect(await logIds()).toEqual(before);
  });

  it('answers 413 with a JSON error for a body over the limit and appends nothing', async () => {
    const before = await logIds();
    const big = Array.from({ length: 10 }, () => ({
      ...json(freshCopy(examples[1])),
      pad: 'x'.repeat(30 * 1024),
    }));
    const res = await post(big);
    expect(res.status).toBe(413);
    expect((await answer(res)).error.code).toBe('payload-too-large');
    expect(await logIds()).toEqual(before);
  });

  it('reports health and serves metrics', async () => {
    const health = await fetch(`${ingest.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      service: 'ingest',
      checks: { 'inbound-consumer': { status: 'up', lastAnswerMs: expect.any(Number) } },
      // One instance owns every partition of the inbound topic.
      info: {
        partitions: {
          [config.inboundTopic]: Array.from({ length: config.inboundPartitions }, (_, i) => i),
        },
      },
    });
    const live = await fetch(`${ingest.url}/live`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(metrics).toMatch(/ingest_events_appended_total\{source="http",type="MessageSent"\} [1-9]/);
    expect(metrics).toMatch(/ingest_events_duplicate_total\{source="http"\} [1-9]/);
  });

  it("echoes the caller's x-request-id, or gives each request a new one", async () => {
    const given = await post(json(freshCopy(examples[1])), { 'x-request-id': 'req-from-caller.42' });
    expect(given.headers.get('x-request-id')).toBe('req-from-caller.42');
    // Not a plausible id (spaces): replaced, never echoed back into logs or headers as sent.
    const replaced = await fetch(`${ingest.url}/live`, { headers: { 'x-request-id': 'a b <script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await fetch(`${ingest.url}/live`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.headers.get('x-request-id')).not.toBe(replaced.headers.get('x-request-id'));
  });

  it('logs each request once, with its full path, even when the body parser refuses it', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const res = await post('x'.repeat(300 * 1024), {
        authorization: `Bearer ${apiKey}`,
        'x-request-id': 'req-too-large-1',
      });
      expect(res.status).toBe(413);
      // The line is written when the response has been sent, a moment after the client has it.
      await eventually(() => (written.some((l) => l.includes('req-too-large-1')) ? true : undefined), {
        what: 'the request log line',
      });
    } finally {
      spy.mockRestore();
    }
    const lines = written.filter((l) => l.includes('req-too-large-1'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('POST /v1/events 413');
  });
});
