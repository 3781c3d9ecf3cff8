import { randomUUID } from 'node:crypto';
import { startProjector, type RunningProjector } from '../../apps/projector/src/projector.app';
import { eventually } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { ADMIN_KEY, API_KEY, appendEvents, dropSchemas, scenario, testConfig } from './projector.fixtures';

describe('the read API', () => {
  const tk = new TestKafka();
  const config = testConfig({ workers: { projection: true, relay: false, mail: false, recovery: false } });
  let api: RunningProjector;
  const s = scenario();
  const messages = Array.from({ length: 5 }, (_, i) => s.sent(randomUUID(), { studentId: `s-${i}` }));
  const events = [s.configured(), ...messages, s.attempted(messages[0], 1, 'succeeded', 200), s.completed(5)];
  const get = (path: string, key: string | null = API_KEY) =>
    fetch(`${api.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} }).then(
      async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown> & { error?: { code: string } },
      }),
    );

  beforeAll(async () => {
    await tk.createTopic(config.logTopic, 3);
    await appendEvents(tk, config.logTopic, events);
    api = await startProjector(config, { host: '127.0.0.1', logger: ['error'] });
    await eventually(
      async () => ((await get(`/v1/batches/${s.batchId}`)).body.status === 'complete' ? true : undefined),
      {
        what: 'the batch to be projected',
      },
    );
  });
  afterAll(async () => {
    await api?.close();
    await tk.close();
    await dropSchemas(config.schema);
  });

  it('returns the callback history of a message with every attempt', async () => {
    const { status, body } = await get(`/v1/messages/${messages[0].data.messageId}/callbacks`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      messageId: messages[0].data.messageId,
      batchId: s.batchId,
      callbacks: [
        {
          event: 'MessageSent',
          state: 'succeeded',
          attempts: 1,
          history: [{ attempt: 1, statusCode: 200, outcome: 'succeeded' }],
        },
      ],
    });
  });

  it('returns a communication with its callbacks (no credentials) and counts by state', async () => {
    const { status, body } = await get(`/v1/communications/${s.communicationId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'active',
      disabled: null,
      callbackCounts: { pending: 5, succeeded: 1, failed: 0, cancelled: 0 },
    });
    expect(JSON.stringify(body)).not.toMatch(/user:pw|c2VjcmV0|password/);
  });

  it('pages through the callbacks of a communication with a cursor and a state filter', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = `state=pending&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const { status, body } = await get(`/v1/communications/${s.communicationId}/callbacks?${query}`);
      expect(status).toBe(200);
      const items = body.items as { callbackId: string; state: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      expect(items.every((i) => i.state === 'pending')).toBe(true);
      seen.push(...items.map((i) => i.callbackId));
      cursor = body.nextCursor as string | null;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect([...seen].sort()).toEqual(seen);
  });

  it('returns the batch, and all its members with includemembers=true', async () => {
    const plain = await get(`/v1/batches/${s.batchId}`);
    expect(plain.body).toMatchObject({
      batchId: s.batchId,
      status: 'complete',
      messageCount: 5,
      memberCount: 5,
    });
    expect(plain.body.members).toBeUndefined();
    const full = await get(`/v1/batches/${s.batchId}?includemembers=true`);
    const members = full.body.members as { messageId: string; memberAttributes: Record<string, string> }[];
    expect(members.map((m) => m.messageId).sort()).toEqual(messages.map((m) => m.data.messageId).sort());
    expect(members.map((m) => m.memberAttributes.studentId).sort()).toEqual([
      's-0',
      's-1',
      's-2',
      's-3',
      's-4',
    ]);
    expect(full.body.membersNextCursor).toBeNull();
  });

  it('pages the members of a batch with a cursor, never more than 1,000 per request', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const r = await get(`/v1/batches/${s.batchId}?includemembers=true&limit=2${q}`);
      const members = r.body.members as { messageId: string }[];
      expect(members.length).toBeLessThanOrEqual(2);
      seen.push(...members.map((m) => m.messageId));
      cursor = r.body.membersNextCursor as string | null;
      if (!cursor) break;
    }
    expect(cursor).toBeNull();
    expect(seen).toEqual(messages.map((m) => m.data.messageId).sort());
    expect((await get(`/v1/batches/${s.batchId}?includemembers=true&limit=1001`)).status).toBe(400);
  });

  it('answers errors as JSON with stable codes: 401, 400 and 404', async () => {
    expect(await get(`/v1/communications/${s.communicationId}`, null)).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    expect(await get(`/v1/communications/${s.communicationId}`, 'wrong-key-wrong-key')).toMatchObject({
      status: 401,
    });
    for (const path of [
      '/v1/messages/not-a-uuid/callbacks',
      `/v1/communications/${s.communicationId}/callbacks?state=lost`,
      `/v1/communications/${s.communicationId}/callbacks?cursor=bogus`,
      `/v1/communications/${s.communicationId}/callbacks?limit=1000`,
      `/v1/batches/${s.batchId}?includemembers=yes`,
    ]) {
      expect({ path, ...(await get(path)) }).toMatchObject({
        path,
        status: 400,
        body: { error: { code: 'invalid-parameter' } },
      });
    }
    for (const path of [
      `/v1/messages/${randomUUID()}/callbacks`,
      '/v1/communications/nobody',
      '/v1/batches/no-batch',
    ]) {
      expect({ path, ...(await get(path)) }).toMatchObject({
        path,
        status: 404,
        body: { error: { code: 'not-found' } },
      });
    }
    const enable = (key: string, body: unknown) =>
      fetch(`${api.url}/v1/communications/${s.communicationId}/enable`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const valid = { by: 'operations-desk', reason: 'test' };
    const readKey = await enable(API_KEY, valid);
    expect(readKey.status).toBe(403);
    expect(await readKey.json()).toMatchObject({ error: { code: 'admin-key-required' } });
    expect((await enable(ADMIN_KEY, { by: '' })).status).toBe(400);
    // The admin key's name comes from the key, never from the body.
    expect((await enable(ADMIN_KEY, { ...valid, adminKey: 'someone-else' })).status).toBe(400);
    expect((await enable(ADMIN_KEY, valid)).status).toBe(409);
    // An admin key reads too.
    expect((await get(`/v1/communications/${s.communicationId}`, ADMIN_KEY)).status).toBe(200);
  });

  it('serves health, metrics and the OpenAPI document without a key', async () => {
    const health = await fetch(`${api.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      service: 'projector',
      checks: {
        postgres: { status: 'up' },
        'projection-consumer': { status: 'up', lastAnswerMs: expect.any(Number) },
        projection: { status: 'up', state: 'projecting' },
      },
      // One instance owns the three partitions of the log.
      info: { caughtUp: expect.any(Boolean), partitions: { [config.logTopic]: [0, 1, 2] } },
    });
    expect((await fetch(`${api.url}/live`)).status).toBe(200);
    expect(await (await fetch(`${api.url}/metrics`)).text()).toContain('projector_events_applied_total');
    const doc = (await (await fetch(`${api.url}/docs-json`)).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { example?: unknown }> }> }>
      >;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/messages/{messageId}/callbacks',
        '/v1/communications/{id}/callbacks',
        '/v1/batches/{batchId}',
      ]),
    );
    // Every endpoint of the recovery tools is documented with an example answer.
    for (const [path, method, status] of [
      ['/v1/communications', 'get', '200'],
      ['/v1/communications/{id}/attempts', 'get', '200'],
      ['/v1/communications/{id}/recoveries', 'get', '200'],
      ['/v1/communications/{id}/enable', 'post', '202'],
      ['/v1/communications/{id}/recover', 'post', '202'],
      ['/v1/callbacks/{callbackId}/resend', 'post', '202'],
      ['/v1/batches/{batchId}', 'get', '200'],
    ]) {
      const example = doc.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.example;
      expect({ path, method, documented: example !== undefined }).toEqual({ path, method, documented: true });
    }
    expect((await fetch(`${api.url}/docs`)).status).toBe(200);
  });
});
