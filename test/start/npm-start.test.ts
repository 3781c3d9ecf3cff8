import { ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';
import { databaseUrl, eventually, uniqueName } from '../support/environment';
import { freePorts } from '../support/free-port';

const ROOT = path.resolve(__dirname, '../..');
const SERVICES = ['ingest', 'dispatcher', 'projector'] as const;

interface JsonLine {
  time: string;
  level: string;
  service: string;
  context?: string;
  message: string;
  [field: string]: unknown;
}

const portAnswers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/**
 * `npm start` as a newcomer runs it, from Kafka to Ctrl-C: KAFKA_BROKERS is not set, so the stack
 * starts the project's broker itself (on ports of its own here, so that it meets no other broker),
 * runs the three services, and stops everything it started. Its whole output is captured: a
 * healthy start prints no ERROR, and every service line is one JSON object (not a terminal).
 */
describe('npm start', () => {
  const kafkaHome = path.join(ROOT, '.local', uniqueName('npm-start-kafka'));
  const schema = uniqueName('npm_start');
  const requestId = uniqueName('npm-start-probe');
  const ports = {} as Record<(typeof SERVICES)[number] | 'kafka' | 'controller' | 'mail', number>;
  let stack: ChildProcess | undefined;
  let output = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  beforeAll(async () => {
    const names = [...SERVICES, 'kafka', 'controller', 'mail'] as const;
    const free = await freePorts(names.length);
    names.forEach((k, i) => (ports[k] = free[i]));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_HOME: kafkaHome,
      KAFKA_PORT: String(ports.kafka),
      KAFKA_CONTROLLER_PORT: String(ports.controller),
      INGEST_PORT: String(ports.ingest),
      DISPATCHER_PORT: String(ports.dispatcher),
      PROJECTOR_PORT: String(ports.projector),
      MAIL_CATCHER_PORT: String(ports.mail),
      DATABASE_URL: databaseUrl(),
      DB_SCHEMA: schema,
    };
    // The newcomer's defaults: no broker given, logging as configured out of the box.
    for (const k of ['KAFKA_BROKERS', 'LOG_FORMAT', 'LOG_LEVEL', 'npm_config_loglevel']) delete env[k];
    // Its own process group, so that the test can send Ctrl-C to all of it as a terminal does.
    stack = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    stack.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    stack.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    exit = new Promise((resolve) => stack!.once('exit', (code, signal) => resolve({ code, signal })));
    const ready = eventually(() => (output.includes('[stack] ready:') ? true : undefined), {
      timeoutMs: 150_000,
      intervalMs: 250,
      what: 'npm start to be ready',
    });
    let started = false;
    const exitedEarly = new Promise<never>((_, reject) => {
      void exit.then(({ code, signal }) => {
        if (!started) reject(new Error(`npm start exited (${signal ?? code}) before it was ready`));
      });
    });
    try {
      await Promise.race([ready, exitedEarly]);
      started = true;
    } catch (e) {
      started = true;
      throw new Error(`${(e as Error).message}\n${output}`, { cause: e });
    }
  }, 180_000);

  afterAll(async () => {
    // Still running only when a test failed before Ctrl-C: kill the whole group it started.
    if (stack && stack.exitCode === null && stack.signalCode === null) process.kill(-stack.pid!, 'SIGKILL');
    await rm(kafkaHome, { recursive: true, force: true });
    const db = new Client({ connectionString: databaseUrl() });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
  }, 60_000);

  it('serves one health shape from every service', async () => {
    for (const service of SERVICES) {
      const res = await fetch(`http://127.0.0.1:${ports[service]}/health`);
      const body = (await res.json()) as {
        status: string;
        service: string;
        checks: Record<string, { status: string }>;
      };
      expect([res.status, body.status, body.service]).toEqual([200, 'ok', service]);
      expect(Object.keys(body.checks).length).toBeGreaterThan(0);
      for (const check of Object.values(body.checks)) expect(check.status).toBe('up');
    }
  });

  it('answers an unknown route with the one JSON error shape and the request id', async () => {
    for (const service of SERVICES) {
      const res = await fetch(`http://127.0.0.1:${ports[service]}/no-such-route`, {
        headers: { 'x-request-id': requestId },
      });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-request-id')).toBe(requestId);
      expect(await res.json()).toEqual({ error: { code: 'not-found', message: expect.any(String) } });
    }
  });

  it('stops everything it started on Ctrl-C, and printed no ERROR on the way', async () => {
    process.kill(-stack!.pid!, 'SIGINT');
    // npm itself ends by the signal (as in a terminal); the stack under it exits 0 after "stopped".
    expect([
      { code: 0, signal: null },
      { code: null, signal: 'SIGINT' },
    ]).toContainEqual(await exit);
    expect(output).toMatch(/\[stack\] stopped\n$/);
    // It started the broker, so it stopped it.
    expect(await portAnswers(ports.kafka)).toBe(false);

    const lines = output.split('\n').filter(Boolean);
    expect(lines.filter((l) => /\bERROR\b/.test(l))).toEqual([]);
    const logged = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonLine);
    // Every line of a service is a log record (nothing else is printed on a healthy start).
    expect(
      lines.filter(
        (l) => l.startsWith('[ingest]') || l.startsWith('[dispatcher]') || l.startsWith('[projector]'),
      ),
    ).toEqual([]);
    for (const line of logged) {
      expect(line).toEqual(
        expect.objectContaining({
          time: expect.any(String),
          level: expect.stringMatching(/^(info|warn)$/),
          service: expect.stringMatching(/^(ingest|dispatcher|projector)$/),
          message: expect.any(String),
        }),
      );
    }
    for (const service of SERVICES) {
      expect(logged.filter((l) => l.service === service).length).toBeGreaterThan(0);
      // The request of the previous test, logged once, with its id.
      const requests = logged.filter((l) => l.service === service && l.requestId === requestId);
      expect(requests).toEqual([
        expect.objectContaining({
          method: 'GET',
          path: '/no-such-route',
          status: 404,
          durationMs: expect.any(Number),
        }),
      ]);
    }
  }, 90_000);
});
