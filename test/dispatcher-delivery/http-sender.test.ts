import type { CommunicationConfigured, LogEventOf } from '@app/contracts';
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { completionBody } from '../../apps/dispatcher/src/delivery/completion.body';
import { CallbackRequest, HttpSender } from '../../apps/dispatcher/src/delivery/http.sender';
import { variablesFor } from '../../apps/dispatcher/src/delivery/template.variables';
import { renderUrl } from '../../apps/dispatcher/src/delivery/url.template';
import { Receiver } from './receiver';

const LOCAL = ['127.0.0.0/8'];
const TIMEOUT_MS = 300;

const receivers: Receiver[] = [];
const senders: HttpSender[] = [];

async function receiver(...args: Parameters<typeof Receiver.start>): Promise<Receiver> {
  const r = await Receiver.start(...args);
  receivers.push(r);
  return r;
}

function sender(allowedNetworks = LOCAL, maxSnippetBytes = 4096): HttpSender {
  const s = new HttpSender({ allowedNetworks, maxSnippetBytes, userAgent: 'dispatch-callbacks-test/1' });
  senders.push(s);
  return s;
}

const request = (url: string, extra: Partial<CallbackRequest> = {}): CallbackRequest => ({
  method: 'GET',
  url,
  idempotencyKey: `${randomUUID()}.cb-1`,
  timeoutMs: 5_000,
  ...extra,
});

afterEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.close()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('HTTP sender against real receivers', () => {
  it('delivers a GET with its path, query and headers, and records 200 as no error', async () => {
    const rx = await receiver();
    const req = request(rx.url('/notify/S-1?c=comm-1'));
    const result = await sender().send(req);

    expect(result).toMatchObject({ statusCode: 200, error: null, responseSnippet: 'ok' });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(rx.requests).toHaveLength(1);
    const got = rx.requests[0];
    expect(got.method).toBe('GET');
    expect(got.rawUrl).toBe('/notify/S-1?c=comm-1');
    expect(got.headers['idempotency-key']).toBe(req.idempotencyKey);
    expect(got.headers['user-agent']).toBe('dispatch-callbacks-test/1');
    expect(got.headers['content-type']).toBeUndefined();
    expect(got.headers.authorization).toBeUndefined();
    expect(got.headers['webhook-signature']).toBeUndefined();
    expect(got.body).toBe('');
  });

  it('delivers the CommunicationCompleted POST body as JSON', async () => {
    const rx = await receiver();
    const event: LogEventOf<'CommunicationCompleted'> = {
      id: randomUUID(),
      type: 'CommunicationCompleted',
      version: 1,
      occurredAt: new Date().toISOString(),
      communicationId: 'comm-9',
      data: { batchId: 'batch-9', status: 'COMPLETE', messageCount: 2 },
    };
    const body = completionBody(event, 'https://callbacks.example.com');
    const result = await sender().send(request(rx.url('/done'), { method: 'POST', body }));

    expect(result).toMatchObject({ statusCode: 200, error: null });
    const got = rx.requests[0];
    expect(got.method).toBe('POST');
    expect(got.headers['content-type']).toBe('application/json');
    expect(JSON.parse(got.body)).toEqual({
      communicationId: 'comm-9',
      batchId: 'batch-9',
      batchUrl: 'https://callbacks.example.com/v1/batches/batch-9',
    });
  });

  it('delivers hostile values encoded: the receiver sees the intended path, and decodes the originals', async () => {
    const rx = await receiver();
    const hostilePath = '../admin?x=1#frag';
    const hostileQuery = 'a b&c=d/ü%../';
    const config: CommunicationConfigured = {
      campaignId: 'camp',
      campaignMode: 'production',
      environment: { area: 'east' },
      callbacks: [],
      notificationList: [],
    };
    const event: LogEventOf<'MessageSent'> = {
      id: randomUUID(),
      type: 'MessageSent',
      version: 1,
      occurredAt: new Date().toISOString(),
      communicationId: 'comm-1',
      data: {
        messageId: randomUUID(),
        batchId: 'batch-1',
        memberAttributes: { studentId: hostilePath, name: hostileQuery, id: 'member-7' },
      },
    };
    const template = `http://127.0.0.1:${rx.port}/cb/\${studentId}/x?name=\${name}&id=\${id}&m=\${memberId}&area=\${area}`;
    const rendered = renderUrl(template, variablesFor(event, config));
    if (!rendered.ok) throw new Error(rendered.error.message);

    const result = await sender().send(request(rendered.url));

    expect(result.statusCode).toBe(200);
    expect(rx.requests).toHaveLength(1);
    const target = new URL(rx.requests[0].rawUrl, 'http://receiver');
    expect(target.pathname).toBe('/cb/%2E%2E%2Fadmin%3Fx%3D1%23frag/x');
    expect(decodeURIComponent(target.pathname.split('/')[2])).toBe(hostilePath);
    expect(target.searchParams.get('name')).toBe(hostileQuery);
    expect(target.searchParams.get('id')).toBe('member-7');
    expect(target.searchParams.get('m')).toBe(event.data.messageId);
    expect(target.searchParams.get('area')).toBe('east');
    expect([...target.searchParams.keys()]).toEqual(['name', 'id', 'm', 'area']);
  });

  it('sends Basic credentials in the Authorization header only, and never reports them', async () => {
    const rx = await receiver();
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const result = await sender().send(
      request(rx.url('/secure'), { basicAuth: { username: 'app-user', password } }),
    );

    expect(result.statusCode).toBe(200);
    const got = rx.requests[0];
    expect(got.headers.authorization).toBe(`Basic ${Buffer.from(`app-user:${password}`).toString('base64')}`);
    expect(got.rawUrl).toBe('/secure');
    expect(JSON.stringify(result)).not.toContain(password);
  });

  it('never sends or reports user information written in the URL itself', async () => {
    const rx = await receiver();
    const result = await sender().send(request(`http://someone:leaked-pw@127.0.0.1:${rx.port}/x`));
    expect(result.statusCode).toBe(200);
    expect(rx.requests[0].headers.authorization).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain('leaked-pw');
  });

  it.each([500, 201, 302, 404])('records status %i with a capped snippet and no error', async (status) => {
    const big = 'x'.repeat(10_000);
    const rx = await receiver((req, res) => {
      if (req.url === '/elsewhere') return res.end('followed');
      res.writeHead(status, { location: '/elsewhere' }).end(big);
    });
    const result = await sender(LOCAL, 100).send(request(rx.url('/cb')));

    expect(result).toMatchObject({ statusCode: status, error: null, responseSnippet: 'x'.repeat(100) });
    expect(rx.requests.map((r) => r.rawUrl)).toEqual(['/cb']); // a redirect is not followed
  });

  it('reads a large body without keeping more than the cap, then reuses the connection', async () => {
    const rx = await receiver((_req, res) => res.end(Buffer.alloc(2 * 1024 * 1024, 'y')));
    const s = sender(LOCAL, 4096);
    const first = await s.send(request(rx.url('/a')));
    const second = await s.send(request(rx.url('/b')));
    expect(first.responseSnippet).toHaveLength(4096);
    expect(second).toMatchObject({ statusCode: 200, error: null });
    expect(rx.connections).toBe(1);
  });

  it('keeps connections alive across many requests', async () => {
    const rx = await receiver();
    const s = sender();
    for (let i = 0; i < 20; i++) expect((await s.send(request(rx.url(`/k${i}`)))).statusCode).toBe(200);
    expect(rx.connections).toBe(1);
  });

  it('repeats a request once on a fresh connection when a kept-alive connection turns out closed', async () => {
    const served = new WeakMap<object, number>();
    const rx = await receiver((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      // The second request on a connection finds it closed, as when a server's idle timer fires.
      if (n === 2) return req.socket.destroy();
      res.end('ok');
    });
    const s = sender();
    expect((await s.send(request(rx.url('/first')))).statusCode).toBe(200);
    const result = await s.send(request(rx.url('/second')));

    expect(result).toMatchObject({ statusCode: 200, error: null });
    expect(rx.connections).toBe(2);
    expect(rx.requests.map((r) => r.rawUrl)).toEqual(['/first', '/second', '/second']);
    expect(new Set(rx.requests.slice(1).map((r) => r.headers['idempotency-key'])).size).toBe(1);
  });

  it('waits for a slow answer longer than the idle-connection timeout', async () => {
    const rx = await receiver((_req, res) => setTimeout(() => res.end('late'), 400));
    const s = new HttpSender({
      allowedNetworks: LOCAL,
      maxSnippetBytes: 100,
      userAgent: 'x',
      idleSocketMs: 100,
    });
    senders.push(s);
    const result = await s.send(request(rx.url('/late'), { timeoutMs: 2_000 }));
    expect(result).toMatchObject({ statusCode: 200, error: null, responseSnippet: 'late' });
  });

  it('times out a receiver that never answers, in about timeoutMs', async () => {
    const rx = await receiver(() => undefined);
    const result = await sender().send(request(rx.url('/slow'), { timeoutMs: TIMEOUT_MS }));

    expect(result.statusCode).toBeNull();
    expect(result.error?.kind).toBe('timeout');
    expect(result.error?.message).toContain(`within ${TIMEOUT_MS} ms`);
    expect(result.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 700);
  });

  it('times out a response whose body does not complete: the timeout covers the whole exchange', async () => {
    const rx = await receiver((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const result = await sender().send(request(rx.url('/stall'), { timeoutMs: TIMEOUT_MS }));

    expect(result.statusCode).toBe(200);
    expect(result.error?.kind).toBe('timeout');
    expect(result.responseSnippet).toBe('partial');
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 700);
  });

  it('reports a refused connection', async () => {
    const rx = await receiver();
    const url = rx.url('/gone');
    await rx.close();
    receivers.splice(receivers.indexOf(rx), 1);
    const result = await sender().send(request(url));
    expect(result).toMatchObject({ statusCode: null, responseSnippet: null });
    expect(result.error?.kind).toBe('connection-refused');
    expect(result.error?.message).toContain(`127.0.0.1:${new URL(url).port}`);
  });

  it('reports a connection the receiver drops without answering', async () => {
    const rx = await receiver((req) => req.socket.destroy());
    const result = await sender().send(request(rx.url('/drop')));
    expect(result.statusCode).toBeNull();
    expect(result.error?.kind).toBe('connection-reset');
  });

  it('reports a failed TLS handshake as tls', async () => {
    const rx = await receiver();
    const result = await sender().send(request(`https://127.0.0.1:${rx.port}/tls`));
    expect(result.statusCode).toBeNull();
    expect(result.error?.kind).toBe('tls');
  });

  it.each([
    ['an IPv4 literal', (port: number) => `http://127.0.0.1:${port}/x`],
    ['an IPv4-mapped IPv6 literal', (port: number) => `http://[::ffff:127.0.0.1]:${port}/x`],
    ['a host name that resolves to loopback', (port: number) => `http://localhost:${port}/x`],
  ])('blocks %s when the allow-list is empty, without contacting the receiver', async (_what, urlOf) => {
    const rx = await receiver();
    const result = await sender([]).send(request(urlOf(rx.port)));

    expect(result).toMatchObject({ statusCode: null, responseSnippet: null });
    expect(result.error?.kind).toBe('blocked');
    expect(result.error?.message).toMatch(/^blocked: .*127\.0\.0\.0\/8 \(loopback\)/);
    expect(rx.requests).toHaveLength(0);
    expect(rx.connections).toBe(0);
  });

  it('connects through the guarded lookup when the resolved address is allowed', async () => {
    const rx = await receiver();
    const result = await sender(LOCAL).send(request(`http://localhost:${rx.port}/named`));
    expect(result).toMatchObject({ statusCode: 200, error: null });
    expect(rx.requests[0].headers.host).toBe(`localhost:${rx.port}`);
  });

  it('signs GET and POST requests so that the standardwebhooks library verifies them', async () => {
    const rx = await receiver();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const s = sender();
    const signing = { secret, messageId: 'evt-1.cb-1', timestamp: new Date() };
    await s.send(request(rx.url('/get'), { signing }));
    await s.send(request(rx.url('/post'), { method: 'POST', body: '{"batchId":"b-1"}', signing }));

    expect(rx.requests).toHaveLength(2);
    const webhook = new Webhook(secret);
    for (const got of rx.requests) {
      const headers = {
        'webhook-id': String(got.headers['webhook-id']),
        'webhook-timestamp': String(got.headers['webhook-timestamp']),
        'webhook-signature': String(got.headers['webhook-signature']),
      };
      expect(headers['webhook-id']).toBe('evt-1.cb-1');
      expect(() => webhook.verify(got.body, headers)).not.toThrow();
      expect(() => webhook.verify(`${got.body} `, headers)).toThrow();
    }
  });

  it('reports credentials Basic auth cannot carry without sending anything', async () => {
    const rx = await receiver();
    const result = await sender().send(
      request(rx.url('/x'), { basicAuth: { username: 'a:b', password: 'p' } }),
    );
    expect(result.error?.kind).toBe('credentials');
    expect(rx.connections).toBe(0);
  });

  it('reports an unusable URL and a closed sender as errors instead of throwing', async () => {
    const s = sender();
    expect((await s.send(request('not a url'))).error?.kind).toBe('invalid-url');
    expect((await s.send(request('ftp://127.0.0.1/x'))).error?.kind).toBe('invalid-url');
    await s.close();
    expect((await s.send(request('http://127.0.0.1:1/x'))).error?.kind).toBe('network');
  });

  it('refuses an allow-list entry that is not a CIDR range at construction', () => {
    expect(
      () => new HttpSender({ allowedNetworks: ['localhost'], maxSnippetBytes: 10, userAgent: 'x' }),
    ).toThrow(/CIDR/);
    expect(() => new HttpSender({ allowedNetworks: [], maxSnippetBytes: 1e6, userAgent: 'x' })).toThrow(
      /maxSnippetBytes/,
    );
  });
});
