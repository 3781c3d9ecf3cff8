#!/usr/bin/env node
// `npm run demo`: plays one realistic communication against the RUNNING stack (`npm start`) and
// prints what happened, from the read API.
//  1. starts a demo receiver (an application taking callbacks) on 127.0.0.1;
//  2. builds a communication from examples/events: the example configuration (GET and POST
//     callbacks, Basic credentials, a signing secret) pointed at the receiver, plus one callback
//     whose application is down (it always answers 503);
//  3. sends it through ingest's HTTP API: configuration, a few hundred messages, Twilio SMS and
//     voice status changes, delivery problems, completion;
//  4. waits until every callback settled (the broken one fails 3 times, the communication is
//     disabled and the notification list is emailed), then prints short tables;
//  5. recovers as an on-call person would (docs/operations.md): a few more events arrive while the
//     communication is disabled (their callbacks are cancelled), the warehouse is repaired, the
//     communication is re-enabled and recovered with the admin key, and the history shows the
//     resent callbacks succeeding.
// Settings: INGEST_URL / PROJECTOR_URL (or INGEST_PORT / PROJECTOR_PORT), API_KEYS and
// ADMIN_API_KEYS, else the keys from .local/dev.env; DEMO_MEMBERS (default 300); DEMO_TIMEOUT_MS
// (default 180000).
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg = '') => process.stdout.write(`${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const BROKEN_CALLBACK = 'reporting-warehouse';

/** Where the stack listens and the API key, from the environment or the stack's dev settings. */
function settings() {
  const devEnv = path.join(root, '.local', 'dev.env');
  const dev = existsSync(devEnv)
    ? Object.fromEntries(
        readFileSync(devEnv, 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]),
      )
    : {};
  const apiKey = (process.env.API_KEYS ?? dev.API_KEYS ?? '').split(',')[0].trim();
  // ADMIN_API_KEYS entries are name:key; the demo uses the first one for the recovery.
  const admin = (process.env.ADMIN_API_KEYS ?? dev.ADMIN_API_KEYS ?? '').split(',')[0].trim();
  const adminKey = admin.includes(':') ? admin.slice(admin.indexOf(':') + 1) : '';
  if (!apiKey)
    throw new Error(
      'no API key: set API_KEYS, or start the stack once with `npm start` (it writes .local/dev.env)',
    );
  const members = Number(process.env.DEMO_MEMBERS ?? 300);
  if (!Number.isInteger(members) || members < 10 || members > 5000)
    throw new Error('DEMO_MEMBERS must be 10..5000');
  const timeoutMs = Number(process.env.DEMO_TIMEOUT_MS ?? 180_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1000)
    throw new Error('DEMO_TIMEOUT_MS must be a number of milliseconds ≥ 1000');
  return {
    ingestUrl: process.env.INGEST_URL ?? `http://127.0.0.1:${process.env.INGEST_PORT ?? 3001}`,
    projectorUrl: process.env.PROJECTOR_URL ?? `http://127.0.0.1:${process.env.PROJECTOR_PORT ?? 3003}`,
    apiKey,
    adminKey,
    members,
    timeoutMs,
  };
}

/** The application side: answers 200, except the broken reporting endpoint (503) until repaired. */
function startReceiver() {
  const received = [];
  const state = { warehouseRepaired: false };
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= 64 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      const broken = req.url.startsWith('/warehouse/') && !state.warehouseRepaired;
      const status = broken ? 503 : 200;
      received.push({
        method: req.method,
        url: req.url,
        key: req.headers['idempotency-key'],
        basic: (req.headers.authorization ?? '').startsWith('Basic '),
        signed: Boolean(req.headers['webhook-signature']),
        body: Buffer.concat(chunks).toString('utf8'),
        status,
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(broken ? 'warehouse loader is down' : 'ok');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(process.env.DEMO_RECEIVER_PORT ?? 0), '127.0.0.1', () =>
      resolve({ server, received, state, baseUrl: `http://127.0.0.1:${server.address().port}` }),
    );
  });
}

const example = (file) => JSON.parse(readFileSync(path.join(root, 'examples', 'events', file), 'utf8'));

/** One communication's events, in the order Dispatch would produce them. */
function buildCommunication(receiverBase, memberCount) {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15).toLowerCase();
  const communicationId = `demo-${stamp}-${randomUUID().slice(0, 6)}`;
  const batchId = `batch-${stamp}`;
  // Consecutive events 1 ms apart: producers' clocks never run ahead of the stack's (a recovery
  // selects the callbacks created before it was requested, by their events' time).
  let clock = Date.now();
  const envelope = (type) => ({
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date((clock += 1)).toISOString(),
    communicationId,
  });

  const config = example('01-CommunicationConfigured.json');
  const callbacks = config.data.callbacks.map((c) => ({
    ...c,
    url: c.url.replace(/^https:\/\/[^/]+/, receiverBase),
  }));
  callbacks.push({
    id: BROKEN_CALLBACK,
    event: 'CommunicationCompleted',
    method: 'POST',
    url: `${receiverBase}/warehouse/loads/\${communicationId}?batch=\${batchId}`,
  });
  const events = [{ ...envelope('CommunicationConfigured'), data: { ...config.data, callbacks } }];

  const template = example('02-MessageSent.json').data;
  const colleges = ['Engineering', 'Business', 'Nursing', 'Liberal Arts and Sciences', 'Education'];
  const members = Array.from({ length: memberCount }, (_, i) => {
    const number = String(482000 + i * 7).padStart(8, '0');
    const sms = i % 4 === 1;
    const voice = i % 15 === 7;
    return {
      messageId: randomUUID(),
      sms,
      voice,
      attributes: {
        ...template.memberAttributes,
        id: `M-${number.slice(-9).padStart(9, '0')}`,
        studentId: number,
        email: `student${number}@example.edu`,
        mobile: sms || voice ? `+1319555${String(1000 + i).slice(-4)}` : null,
        college: colleges[i % colleges.length],
        creditHours: 6 + (i % 13),
        optInSms: sms,
        advisorId: i % 3 === 0 ? null : `ADV-${100 + (i % 40)}`,
      },
    };
  });
  const messageData = (m) => ({ messageId: m.messageId, batchId, memberAttributes: m.attributes });
  for (const m of members) {
    const destinations = ['email', ...(m.sms ? ['twilio-sms'] : []), ...(m.voice ? ['twilio-voice'] : [])];
    events.push({ ...envelope('MessageSent'), data: { ...messageData(m), destinations } });
  }

  const statusTemplate = example('03-MessageDeliveryStatusChanged.json').data;
  const change = (m, channel, status, previousStatus, errorCode = null) => ({
    ...envelope('MessageDeliveryStatusChanged'),
    data: {
      ...messageData(m),
      channel,
      status,
      previousStatus,
      errorCode,
      twilioSid: `${channel === 'sms' ? 'SM' : 'CA'}${m.messageId.replace(/-/g, '')}`,
    },
  });
  members.forEach((m, i) => {
    if (m.sms) {
      const undelivered = i % 40 === 1;
      events.push(change(m, 'sms', 'queued', null), change(m, 'sms', 'sent', 'queued'));
      events.push(
        undelivered
          ? change(m, 'sms', 'undelivered', 'sent', statusTemplate.errorCode)
          : change(m, 'sms', 'delivered', 'sent'),
      );
    }
    if (m.voice) {
      events.push(change(m, 'voice', 'initiated', null), change(m, 'voice', 'ringing', 'initiated'));
      if (i % 2 === 1) events.push(change(m, 'voice', 'no-answer', 'ringing'));
      else
        events.push(
          change(m, 'voice', 'in-progress', 'ringing'),
          change(m, 'voice', 'completed', 'in-progress'),
        );
    }
  });

  const problem = example('04-MessageDeliveryProblem.json').data.problem;
  events.push({ ...envelope('MessageDeliveryProblem'), data: { ...messageData(members[2]), problem } });
  events.push({
    ...envelope('MessageDeliveryProblem'),
    data: {
      ...messageData(members[9]),
      problem: {
        stage: 'delivery',
        code: 'SMTP_RELAY_REJECTED',
        description: 'The mail relay refused the message (554).',
      },
    },
  });
  events.push({
    ...envelope('CommunicationCompleted'),
    data: { batchId, status: 'COMPLETE', messageCount: members.length },
  });

  // Twilio reports that arrive later (read receipts), sent while the communication is disabled.
  const lateEvents = (n) =>
    members
      .filter((m, i) => m.sms && i % 40 !== 1)
      .slice(0, n)
      .map((m) => change(m, 'sms', 'read', 'delivered'));

  const configured = new Map(callbacks.map((c) => [c.event, 0]));
  for (const c of callbacks) configured.set(c.event, (configured.get(c.event) ?? 0) + 1);
  const expectedCallbacks = events.reduce((n, e) => n + (configured.get(e.type) ?? 0), 0);
  return {
    communicationId,
    batchId,
    events,
    members,
    expectedCallbacks,
    lateEvents,
    notificationList: config.data.notificationList,
  };
}

async function call(url, { apiKey, method = 'GET', body } = {}) {
  if (!apiKey) throw new Error(`${method} ${url}: no API key`);
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new Error(`${method} ${url}: ${e.cause?.code ?? e.message} — is the stack running (npm start)?`, {
      cause: e,
    });
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  return { status: res.status, body: json };
}

/** Every item of a paginated read API list (bounded: at most 200 pages of 200). */
async function allPages(s, listUrl) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 200; page += 1) {
    const q = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const r = await call(`${listUrl}?limit=200${q}`, s);
    if (r.status !== 200) throw new Error(`read API: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
    if (!cursor) break;
  }
  return items;
}

const communicationUrl = (s, communicationId) =>
  `${s.projectorUrl}/v1/communications/${encodeURIComponent(communicationId)}`;
const allCallbacks = (s, communicationId) => allPages(s, `${communicationUrl(s, communicationId)}/callbacks`);

function table(rows, columns) {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells) =>
    cells
      .map((v, i) => String(v ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  say(line(columns));
  say(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) say(line(columns.map((c) => r[c])));
}

const short = (iso) => (iso ? iso.slice(11, 23) : '');
const clip = (s, n) => (s && s.length > n ? `${s.slice(0, n - 1)}…` : (s ?? ''));

async function main() {
  const s = settings();
  const health = await call(`${s.projectorUrl}/health`, s);
  if (health.status !== 200) throw new Error(`the projector is not healthy (${JSON.stringify(health.body)})`);
  const receiver = await startReceiver();
  const started = Date.now();
  try {
    const comm = buildCommunication(receiver.baseUrl, s.members);
    say(`demo receiver on ${receiver.baseUrl} (its /warehouse/ endpoint always answers 503)`);
    say(
      `sending communication ${comm.communicationId}: ${comm.events.length} events, ${comm.members.length} messages`,
    );
    for (let i = 0; i < comm.events.length; i += 200) {
      const chunk = comm.events.slice(i, i + 200);
      const r = await call(`${s.ingestUrl}/v1/events`, { ...s, method: 'POST', body: chunk });
      if (r.status !== 202)
        throw new Error(`ingest refused events ${i}..: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    }
    say(`all events accepted by ingest; waiting for ${comm.expectedCallbacks} callbacks to settle...`);

    let view;
    let lastLine = '';
    for (;;) {
      view = (
        await call(`${s.projectorUrl}/v1/communications/${encodeURIComponent(comm.communicationId)}`, s)
      ).body;
      const counts = view?.callbackCounts ?? {};
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const settled = view?.status === 'disabled' && counts.pending === 0 && total >= comm.expectedCallbacks;
      const states = Object.entries(counts).map(([k, v]) => `${k} ${v}`);
      const progress = `  ${total}/${comm.expectedCallbacks} callbacks${states.length ? `: ${states.join(', ')}` : ''}; communication ${view?.status ?? 'not projected yet'}`;
      if (progress !== lastLine) say((lastLine = progress));
      if (settled) break;
      if (Date.now() - started > s.timeoutMs) {
        say(
          `\nstopped waiting after ${s.timeoutMs / 1000} s. The broken callback is retried after the dispatcher's`,
        );
        say(
          'RETRY_DELAY_MS (5 minutes in production); start the stack with e.g. RETRY_DELAY_MS=2000 npm start',
        );
        say('to see the disable + email path within seconds. What happened so far:');
        break;
      }
      await sleep(500);
    }

    const callbacks = await allCallbacks(s, comm.communicationId);
    say(`\n== Communication ${comm.communicationId}`);
    say(`status: ${view.status}${view.disabled ? ` since ${view.disabled.at} by ${view.disabled.by}` : ''}`);
    if (view.disabled?.reason) say(`reason: ${view.disabled.reason}`);
    say(`notification list: ${view.notificationList.join(', ')}`);

    say('\n== Callbacks by configured callback (read API)');
    const byConfig = new Map();
    for (const c of callbacks) {
      const row = byConfig.get(c.callbackConfigId) ?? {
        callback: c.callbackConfigId,
        event: c.event,
        method: c.method,
        total: 0,
        succeeded: 0,
        failed: 0,
        cancelled: 0,
        pending: 0,
        attempts: 0,
      };
      row.total += 1;
      row[c.state] += 1;
      row.attempts += c.attempts;
      byConfig.set(c.callbackConfigId, row);
    }
    table(
      [...byConfig.values()],
      ['callback', 'event', 'method', 'total', 'succeeded', 'failed', 'cancelled', 'pending', 'attempts'],
    );

    say('\n== What the demo receiver saw');
    const kinds = new Map();
    for (const r of receiver.received) {
      const route = r.url.split('?')[0].split('/').slice(0, 4).join('/');
      const k = `${r.method} ${route}`;
      const row = kinds.get(k) ?? {
        request: k,
        count: 0,
        status: r.status,
        basicAuth: r.basic ? 'yes' : 'no',
        signed: r.signed ? 'yes' : 'no',
      };
      row.count += 1;
      kinds.set(k, row);
    }
    table([...kinds.values()], ['request', 'count', 'status', 'basicAuth', 'signed']);
    const keys = new Set(receiver.received.map((r) => r.key));
    say(`${receiver.received.length} requests, ${keys.size} distinct idempotency keys`);

    const smsMember = comm.members.find((m) => m.sms);
    const props = await call(`${s.projectorUrl}/v1/messages/${smsMember.messageId}/callbacks`, s);
    if (props.status === 200) {
      say(`\n== Message properties: member ${smsMember.attributes.id}, message ${smsMember.messageId}`);
      say(
        `delivery statuses: ${props.body.deliveryStatuses.map((d) => `${d.channel}:${d.status}`).join(' → ')}`,
      );
      table(
        props.body.callbacks.flatMap((c) =>
          c.history.map((h) => ({
            callback: c.callbackConfigId,
            method: c.method,
            attempt: h.attempt,
            at: short(h.startedAt),
            ms: h.durationMs,
            status: h.statusCode ?? h.error?.kind,
            outcome: h.outcome,
            url: clip(h.url, 70),
          })),
        ),
        ['callback', 'method', 'attempt', 'at', 'ms', 'status', 'outcome', 'url'],
      );
    }

    const broken = callbacks.find((c) => c.callbackConfigId === BROKEN_CALLBACK);
    if (broken) {
      say(`\n== The callback whose application is down: ${broken.callbackId}`);
      const seen = receiver.received.filter((r) => r.key === broken.callbackId);
      table(
        seen.map((r, i) => ({ attempt: i + 1, method: r.method, url: clip(r.url, 60), answered: r.status })),
        ['attempt', 'method', 'url', 'answered'],
      );
      say(
        `state: ${broken.state} after ${broken.attempts} attempt(s); last error: ${broken.lastError?.kind ?? '-'} ${broken.lastError?.message ?? ''}`,
      );
    }

    const completion = receiver.received.find((r) => r.method === 'POST' && r.body.includes('"batchUrl"'));
    if (completion) {
      const { batchUrl } = JSON.parse(completion.body);
      const batch = await call(`${batchUrl}?includemembers=true`, s);
      say('\n== The batch referenced by the CommunicationCompleted POST body');
      say(`POST body: ${completion.body}`);
      say(
        `GET ${batchUrl}?includemembers=true → HTTP ${batch.status}, status ${batch.body?.status}, ${batch.body?.members?.length ?? 0} members`,
      );
      table(
        (batch.body?.members ?? []).slice(0, 3).map((m) => ({
          messageId: m.messageId,
          id: m.memberAttributes.id,
          college: m.memberAttributes.college,
        })),
        ['messageId', 'id', 'college'],
      );
    }

    await printMails(comm, started, view.status === 'disabled');
    if (view.status === 'disabled') await recover(s, comm, receiver, started);
    say('\n== In the operator console (log in with a key from .local/dev.env)');
    say(`${s.projectorUrl}/console/communications/${encodeURIComponent(comm.communicationId)}`);
  } finally {
    await new Promise((resolve) => receiver.server.close(resolve));
    receiver.server.closeAllConnections?.();
  }
}

/** Polls `probe` every 500 ms until it returns something, or gives up after `ms`. */
async function until(ms, probe) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined || Date.now() > deadline) return v;
    await sleep(500);
  }
}

/**
 * The on-call runbook (docs/operations.md) played for real: callbacks of events that arrive while
 * the communication is disabled are cancelled; the warehouse is repaired; the communication is
 * re-enabled and recovered with the admin key; the resent callbacks succeed.
 */
async function recover(s, comm, receiver, started) {
  const admin = { ...s, apiKey: s.adminKey };
  const commUrl = communicationUrl(s, comm.communicationId);
  say('\n== Recovery (docs/operations.md, "a communication was disabled — what now")');
  if (!s.adminKey) {
    say('no admin key (ADMIN_API_KEYS, name:key, or .local/dev.env): skipping the recovery');
    return;
  }
  const late = comm.lateEvents(5);
  await call(`${s.ingestUrl}/v1/events`, { ...s, method: 'POST', body: late });
  const before = (await call(commUrl, s)).body.callbackCounts.cancelled;
  const cancelled = await until(30_000, async () => {
    const n = (await call(commUrl, s)).body.callbackCounts.cancelled;
    return n >= before + late.length ? n : undefined;
  });
  say(
    `1. ${late.length} more Twilio reports arrived while disabled: their callbacks were cancelled (${cancelled ?? '?'} cancelled in all)`,
  );
  const list = await call(`${s.projectorUrl}/v1/communications?status=disabled&limit=200`, s);
  say(
    `2. GET /v1/communications?status=disabled lists ${list.body.items.length} disabled communication(s), this one among them`,
  );
  receiver.state.warehouseRepaired = true;
  say('3. the warehouse loader is repaired (its endpoint answers 200 from now on)');
  const why = { by: 'demo on-call', reason: 'warehouse loader repaired' };
  const enabled = await call(`${commUrl}/enable`, { ...admin, method: 'POST', body: why });
  say(`4. POST .../enable with the admin key → HTTP ${enabled.status}`);
  if (enabled.status !== 202) return say(`   ${JSON.stringify(enabled.body)}`);
  await until(30_000, async () => ((await call(commUrl, s)).body.status === 'active' ? true : undefined));
  const since = new Date(started - 1000).toISOString();
  const recovery = await call(`${commUrl}/recover`, {
    ...admin,
    method: 'POST',
    body: { ...why, since, states: ['failed', 'cancelled'] },
  });
  say(
    `5. POST .../recover {since: ${since}, states: [failed, cancelled]} → HTTP ${recovery.status}, ${recovery.body?.planned} callbacks to resend`,
  );
  const counts = await until(s.timeoutMs, async () => {
    const c = (await call(commUrl, s)).body.callbackCounts;
    return c.failed + c.cancelled + c.pending === 0 ? c : undefined;
  });
  const [progress] = (await call(`${commUrl}/recoveries`, s)).body;
  say(
    `   recovery ${progress.recoveryId}: ${progress.resent} resent by ${progress.by} (admin key ${progress.adminKey})`,
  );
  say(
    `   callbacks now: ${Object.entries(counts ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );

  const callbacks = await allCallbacks(s, comm.communicationId);
  const broken = callbacks.find((c) => c.callbackConfigId === BROKEN_CALLBACK);
  say(`\n== History of ${broken.callbackId} after the recovery`);
  const history = await allPages(s, `${commUrl}/attempts`);
  table(
    history
      .filter((a) => a.callbackId === broken.callbackId)
      .map((a) => ({
        attempt: a.attempt,
        at: short(a.startedAt),
        status: a.statusCode ?? a.error?.kind,
        outcome: a.outcome,
      })),
    ['attempt', 'at', 'status', 'outcome'],
  );
  const resentLate = callbacks.filter((c) => late.some((e) => c.triggerEventId === e.id));
  say(
    `the ${resentLate.length} callbacks cancelled while disabled: ${resentLate.map((c) => c.state).join(', ')}`,
  );
}

/** The stack's mail catcher keeps each email under .local/mail; shows the ones about this run. */
async function printMails(comm, started, expected) {
  const dir = path.join(root, '.local', 'mail');
  say('\n== Notification emails');
  // The emails leave through the projector's outbox shortly after the disable: wait a little.
  const deadline = Date.now() + (expected ? 15_000 : 0);
  let found = [];
  while (existsSync(dir)) {
    found = readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => path.join(dir, f))
      .filter((f) => statSync(f).mtimeMs >= started - 1000)
      .map((f) => ({ file: f, raw: readFileSync(f, 'utf8') }))
      .filter((m) => m.raw.replace(/=\r?\n/g, '').includes(comm.communicationId));
    if (found.length >= comm.notificationList.length || Date.now() > deadline) break;
    await sleep(500);
  }
  if (found.length === 0) {
    say('none found in .local/mail (the stack prints a "mail to ..." line for each email it catches)');
    return;
  }
  table(
    found.map((m) => ({
      to: /^To: (.*)$/im.exec(m.raw)?.[1] ?? '',
      subject: clip(/^Subject: (.*)$/im.exec(m.raw)?.[1] ?? '', 70),
      file: path.relative(root, m.file),
    })),
    ['to', 'subject', 'file'],
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`demo failed: ${e.message}\n`);
    process.exit(1);
  },
);
