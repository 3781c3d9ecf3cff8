/**
 * Console pages with 1,000,000 callbacks in the projection (decision 0723). Not part of CI.
 *
 * The built projector starts on an empty log (it creates its schema); the schema is then filled
 * directly with generate_series (projecting a million events through Kafka would take the
 * projector bench's time for nothing the pages depend on): BENCH_CALLBACKS callbacks (1,000,000),
 * one attempt each (3 % failed), their messages and batch members, over 1,000 communications of
 * which one holds BENCH_BIG (200,000) callbacks and 5 % are disabled. Then every page is timed
 * over HTTP with a logged-in session: 3 warm-up requests, then 20, one at a time.
 */
import { Client } from 'pg';
import { benchMain } from './support/bench.main';
import { databaseUrl, size } from './support/bench.env';
import { figure, fmt, summary } from './support/report';
import { benchNames, startProjector } from './support/services.launcher';

const CALLBACKS = size('CALLBACKS', 1_000_000);
const BIG = size('BIG', 200_000);
const COMMS = 1_000;
const TARGET_MS = 100;

/** A message id of the fill: a version-4 UUID (the message page accepts only valid UUIDs) from n. */
const MESSAGE_ID = `overlay(overlay(md5('m' || n) placing '4' from 13) placing '8' from 17)::uuid`;
const commId = (i: number) => `bench-comm-${String(i).padStart(5, '0')}`;

async function fill(db: Client, s: string): Promise<void> {
  const comm = `(CASE WHEN n < ${BIG} THEN 0 ELSE 1 + (n - ${BIG}) % ${COMMS - 1} END)`;
  const name = (expr: string) => `'bench-comm-' || lpad((${expr})::text, 5, '0')`;
  const at = `(now() - (${CALLBACKS} - n) * interval '2 seconds')`;
  await db.query(`SET synchronous_commit = off`);
  const steps: [string, string][] = [
    [
      'communications',
      `INSERT INTO ${s}.communications (communication_id, campaign_id, campaign_mode, callbacks, notification_list,
          configured_at, status, disabled_at, disabled_reason, disabled_by, disabled_callback_id, updated_at)
       SELECT ${name('i')}, 'camp-' || i, 'production',
         jsonb_build_array(
           jsonb_build_object('id','sent-cb','event','MessageSent','method','POST',
             'urlTemplate','https://receiver-' || (i % 50) || '.example.test/hook/\${id}','hasCredentials',true,'signed',true),
           jsonb_build_object('id','done-cb','event','CommunicationCompleted','method','POST',
             'urlTemplate','https://receiver-' || (i % 50) || '.example.test/done','hasCredentials',false,'signed',true)),
         '["ops@example.test"]', now() - interval '30 days',
         CASE WHEN i % 20 = 7 THEN 'disabled' ELSE 'active' END,
         CASE WHEN i % 20 = 7 THEN now() - interval '1 hour' END,
         CASE WHEN i % 20 = 7 THEN 'callback failed after 3 attempts: HTTP 500' END,
         CASE WHEN i % 20 = 7 THEN 'projector' END,
         CASE WHEN i % 20 = 7 THEN md5('t' || (${BIG} + i - 1))::uuid::text || '.sent-cb' END,
         now() - i * interval '1 minute'
       FROM generate_series(0, ${COMMS - 1}) i`,
    ],
    [
      'callbacks',
      `INSERT INTO ${s}.callbacks (callback_id, communication_id, callback_config_id, trigger_event_id, trigger_type,
          message_id, method, url, state, attempts, last_status_code, created_at, updated_at, finished_at)
       SELECT md5('t' || n)::uuid::text || '.sent-cb', ${name(comm)}, 'sent-cb', md5('t' || n)::uuid, 'MessageSent',
         ${MESSAGE_ID}, 'POST', 'https://receiver-' || (${comm} % 50) || '.example.test/hook/' || n,
         CASE WHEN n % 33 = 0 THEN 'failed' WHEN n % 101 = 0 THEN 'pending' ELSE 'succeeded' END,
         CASE WHEN n % 101 = 0 AND n % 33 <> 0 THEN 0 ELSE 1 END,
         CASE WHEN n % 33 = 0 THEN 500 WHEN n % 101 = 0 THEN NULL ELSE 200 END,
         ${at}, ${at}, CASE WHEN n % 101 = 0 AND n % 33 <> 0 THEN NULL ELSE ${at} END
       FROM generate_series(0, ${CALLBACKS - 1}) n`,
    ],
    [
      'attempts',
      `INSERT INTO ${s}.attempts (event_id, callback_id, communication_id, message_id, attempt, trigger_type, method, url,
          started_at, duration_ms, status_code, error_kind, error_message, response_snippet, outcome,
          log_partition, log_offset)
       SELECT md5('a' || n)::uuid, md5('t' || n)::uuid::text || '.sent-cb', ${name(comm)}, ${MESSAGE_ID}, 1,
         'MessageSent', 'POST', 'https://receiver-' || (${comm} % 50) || '.example.test/hook/' || n, ${at},
         20 + n % 180, CASE WHEN n % 33 = 0 THEN 500 ELSE 200 END,
         CASE WHEN n % 33 = 0 THEN 'status' END, CASE WHEN n % 33 = 0 THEN 'HTTP 500' END,
         CASE WHEN n % 33 = 0 THEN 'internal error' ELSE 'ok' END,
         CASE WHEN n % 33 = 0 THEN 'failed' ELSE 'succeeded' END, ${comm} % 6, n
       FROM generate_series(0, ${CALLBACKS - 1}) n WHERE n % 101 <> 0 OR n % 33 = 0`,
    ],
    [
      'messages',
      `INSERT INTO ${s}.messages (message_id, communication_id, batch_id, member_attributes, first_event_at,
          last_event_type, last_event_at, sent_at)
       SELECT ${MESSAGE_ID}, ${name(comm)}, 'batch-' || ${name(comm)},
         jsonb_build_object('studentId', 's-' || n, 'name', 'Student ' || n), ${at}, 'MessageSent', ${at}, ${at}
       FROM generate_series(0, ${CALLBACKS - 1}) n`,
    ],
    [
      'batch members',
      `INSERT INTO ${s}.batch_members (batch_id, message_id, member_attributes)
       SELECT 'batch-' || ${name(comm)}, ${MESSAGE_ID}, jsonb_build_object('studentId', 's-' || n)
       FROM generate_series(0, ${CALLBACKS - 1}) n`,
    ],
    [
      'batches',
      `INSERT INTO ${s}.batches (batch_id, communication_id, status, message_count, first_event_at, completed_at,
          completed_event_id)
       SELECT 'batch-' || ${name('i')}, ${name('i')}, 'complete', NULL, now() - interval '30 days', now(),
         md5('c' || i)::uuid FROM generate_series(0, ${COMMS - 1}) i`,
    ],
    [
      'completion callbacks',
      `INSERT INTO ${s}.callbacks (callback_id, communication_id, callback_config_id, trigger_event_id, trigger_type,
          message_id, method, url, state, attempts, last_status_code, created_at, updated_at, finished_at)
       SELECT md5('c' || i)::uuid::text || '.done-cb', ${name('i')}, 'done-cb', md5('c' || i)::uuid,
         'CommunicationCompleted', NULL, 'POST', 'https://receiver-' || (i % 50) || '.example.test/done',
         'succeeded', 1, 200, now(), now(), now() FROM generate_series(0, ${COMMS - 1}) i`,
    ],
    [
      'disables',
      `INSERT INTO ${s}.outbox_events (event_id, communication_id, event_type, payload, cause_event_id, created_at,
          published_partition, published_offset)
       SELECT md5('d' || i)::uuid, ${name('i')}, 'CommunicationDisabled',
         jsonb_build_object('data', jsonb_build_object('reason', 'callback failed', 'by', 'projector',
           'callbackId', md5('t' || (${BIG} + i - 1))::uuid::text || '.sent-cb')),
         md5('f' || i)::uuid, now() - interval '1 hour', 0, i
       FROM generate_series(0, ${COMMS - 1}) i WHERE i % 20 = 7`,
    ],
  ];
  for (const [what, sql] of steps) {
    const t = Date.now();
    const r = await db.query(sql);
    figure(`filled ${what}`, `${fmt(r.rowCount ?? 0)} rows in ${fmt((Date.now() - t) / 1000, 1)} s`);
  }
  // What autovacuum does to a table that stopped growing: statistics, and the visibility map that
  // lets the counts read only the index.
  const t = Date.now();
  await db.query(
    `VACUUM ANALYZE ${s}.communications, ${s}.callbacks, ${s}.attempts, ${s}.messages, ${s}.batch_members, ${s}.batches, ${s}.outbox_events`,
  );
  figure('vacuum analyze', `${fmt((Date.now() - t) / 1000, 1)} s`);
}

/** A logged-in session cookie: the login form's token and cookie, then the key. */
async function login(url: string, key: string): Promise<string> {
  const form = await fetch(`${url}/console/login`);
  const loginCookie = form.headers.getSetCookie()[0].split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const r = await fetch(`${url}/console/login`, {
    method: 'POST',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key, _csrf: csrf }),
    redirect: 'manual',
  });
  const session = r.headers.getSetCookie().find((c) => c.startsWith('dc_console='));
  if (r.status !== 303 || !session) throw new Error(`login failed: HTTP ${r.status}`);
  return session.split(';')[0];
}

async function timePage(url: string, cookie: string, path: string): Promise<{ ms: number[]; html: string }> {
  const ms: number[] = [];
  let html = '';
  for (let i = 0; i < 23; i++) {
    const t = process.hrtime.bigint();
    const r = await fetch(`${url}${path}`, { headers: { cookie } });
    html = await r.text();
    const took = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
    if (i >= 3) ms.push(took);
  }
  return { ms, html };
}

benchMain('console pages with 1,000,000 callbacks', async (run) => {
  const names = benchNames('console');
  run.topics.push(names.log);
  run.schemas.push(names.schema);
  await run.producer.createTopic(names.log, names.partitions);
  const projector = run.track(await startProjector(names));
  const db = new Client({ connectionString: databaseUrl() });
  await db.connect();
  let messageId: string;
  try {
    await fill(db, `"${names.schema}"`);
    const { rows } = await db.query(
      `SELECT message_id FROM "${names.schema}".messages WHERE communication_id = $1 LIMIT 1`,
      [commId(507)],
    );
    messageId = rows[0].message_id;
  } finally {
    await db.end();
  }
  const cookie = await login(projector.url, names.apiKey);
  const firstList = await timePage(projector.url, cookie, '/console/communications');
  const nextList = /href="(\/console\/communications\?after=[^"]+)"/
    .exec(firstList.html)?.[1]
    ?.replace(/&amp;/g, '&');
  const firstFailures = await timePage(projector.url, cookie, '/console/failures');
  const nextFailures = /href="(\/console\/failures\?after=[^"]+)"/.exec(firstFailures.html)?.[1];
  const pages: [string, string][] = [
    ['communications, first page', '/console/communications'],
    ['communications, second page', nextList ?? '/console/communications'],
    ['communications, disabled', '/console/communications?status=disabled'],
    [`communication with ${fmt(BIG)} callbacks`, `/console/communications/${commId(0)}`],
    ['communication with ~800 callbacks (disabled)', `/console/communications/${commId(507)}`],
    [`batch of ${fmt(BIG)} members`, `/console/batches/batch-${commId(0)}`],
    ['batch of ~800 members', `/console/batches/batch-${commId(507)}`],
    ['message', `/console/messages/${messageId}`],
    ['failed attempts, first page', '/console/failures'],
    ['failed attempts, second page', nextFailures ?? '/console/failures'],
  ];
  for (const [label, path] of pages) {
    const { ms } = await timePage(projector.url, cookie, path);
    const s = summary(ms);
    figure(
      label,
      `median ${fmt(s.p50, 1)} ms, p95 ${fmt(s.p95, 1)} ms, max ${fmt(s.max, 1)} ms ${s.p95 <= TARGET_MS ? '(≤ 100 ms)' : '(OVER 100 ms)'}`,
    );
  }
});
