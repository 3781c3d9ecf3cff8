/**
 * Starts the BUILT services as child processes (as they run in production), configured only
 * through environment variables, with names no other run uses. Reuses the end-to-end tests'
 * launcher (test/support/child-service.ts).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  builtEntry,
  ChildService,
  runScript,
  type AppName,
  type ScriptResult,
} from '../../test/support/child-service';
import { freePort } from '../../test/support/free-port';
import { databaseUrl, kafkaVars, randomApiKey, randomKeyRing, uniqueName } from './bench.env';
import { until } from './report';

/** Topic, group and schema names of one bench run. */
export interface BenchNames {
  inbound: string;
  deadLetter: string;
  log: string;
  retry: string;
  state: string;
  parked: string;
  schema: string;
  partitions: number;
  keyRing: string;
  apiKey: string;
}

export function benchNames(prefix: string, partitions = 6): BenchNames {
  return {
    inbound: uniqueName(`bench.${prefix}.inbound`),
    deadLetter: uniqueName(`bench.${prefix}.dlq`),
    log: uniqueName(`bench.${prefix}.log`),
    retry: uniqueName(`bench.${prefix}.retry`),
    state: uniqueName(`bench.${prefix}.state`),
    parked: uniqueName(`bench.${prefix}.parked`),
    schema: uniqueName(`bench_${prefix}`).replace(/[^a-z0-9_]/g, '_'),
    partitions,
    keyRing: randomKeyRing(),
    apiKey: randomApiKey(),
  };
}

export interface RunningService {
  service: ChildService;
  url: string;
}

/**
 * Extra process options for one service, from bench-only switches (BENCH_REPLAY_NODE_OPTIONS,
 * the replay tool's node options, is read by runReplay):
 * - BENCH_PROFILE=dispatcher,projector records a V8 CPU profile of those services (written when
 *   they stop) in .local/bench-profiles; open it in Chrome DevTools;
 * - BENCH_EXPERIMENT=<name>[,<name>] preloads bench/experiments/<name>.preload.ts into every service, to
 *   measure a proposed change without editing the apps;
 * - BENCH_NODE_OPTIONS (e.g. --max-old-space-size=160) is added to every service's node options,
 *   after the flags of its `start:<app>` script (a later flag wins);
 * - BENCH_SERVICE_ENV (e.g. `MALLOC_ARENA_MAX=1`, several separated by spaces) sets variables in
 *   every service's environment, after those of its `start:<app>` script.
 */
function instrumentation(name: string): Record<string, string> {
  const requires: string[] = [];
  const vars: Record<string, string> = {};
  const profiled = (process.env.BENCH_PROFILE ?? '').split(',').map((s) => s.trim());
  if (profiled.includes(name)) {
    const dir = path.resolve('.local', 'bench-profiles');
    mkdirSync(dir, { recursive: true });
    requires.push(path.join(__dirname, 'cpu-profile.preload.js'));
    vars.BENCH_PROFILE_FILE = path.join(dir, `${name}-${Date.now()}.cpuprofile`);
  }
  const experiments = (process.env.BENCH_EXPERIMENT ?? '').split(',').filter(Boolean);
  // Experiments import kafkajs; the service's kafkajs patches (decision 0757) must load first.
  const patch = experiments.length > 0 ? kafkaClientOf(name) : undefined;
  if (patch) requires.push(patch);
  for (const experiment of experiments) {
    if (!/^[a-z0-9-]+$/.test(experiment))
      throw new Error('BENCH_EXPERIMENT names files in bench/experiments');
    requires.push(path.join(__dirname, '..', 'experiments', `${experiment}.preload.js`));
  }
  const options = [
    launchFlags(name),
    ...requires.map((r) => `--require ${r}`),
    process.env.BENCH_NODE_OPTIONS ?? '',
  ]
    .join(' ')
    .trim();
  if (options !== '') vars.NODE_OPTIONS = options;
  return { ...launchEnv(name), ...vars, ...assignments(process.env.BENCH_SERVICE_ENV ?? '') };
}

/**
 * The service's compiled Kafka client module, which loads its kafkajs patches before kafkajs, if
 * its build patches kafkajs (a baseline may predate that).
 */
function kafkaClientOf(name: string): string | undefined {
  if (!['ingest', 'dispatcher', 'projector'].includes(name)) return undefined;
  const entry = builtEntry(name as AppName);
  const kafka = path.join(entry, '..', '..', '..', '..', 'libs', 'platform', 'src', 'kafka');
  return existsSync(path.join(kafka, 'encoder.patch.js')) ? path.join(kafka, 'kafka.client.js') : undefined;
}

/** A service's `start:<app>` script in package.json: how it is launched in production. */
function startScript(name: string): string {
  const pkg = JSON.parse(
    readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'),
  ) as {
    scripts?: Record<string, string>;
  };
  return pkg.scripts?.[`start:${name}`] ?? '';
}

/** `NAME=value` words at the start of a command line (or a whole list of them), as variables. */
function assignments(words: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of words.matchAll(/(?:^|\s)([A-Z_][A-Z0-9_]*)=(\S*)(?=\s|$)/g)) vars[m[1]] = m[2];
  return vars;
}

/**
 * The environment and node options a service is launched with in production, taken from its
 * `start:<app>` script (e.g. the allocator's settings, the heap cap), so the benches measure the
 * services as they are run.
 */
function launchEnv(name: string): Record<string, string> {
  return assignments(startScript(name).match(/^((?:[A-Z_][A-Z0-9_]*=\S*\s+)*)node\s/)?.[1] ?? '');
}

function launchFlags(name: string): string {
  const script = startScript(name).replace(/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*/, '');
  return (script.match(/^node\s+((?:--[\w-]+(?:=\S+)?\s+)*)/)?.[1] ?? '').trim();
}

async function started(
  name: string,
  entry: string,
  port: number,
  vars: Record<string, string>,
): Promise<RunningService> {
  const service = new ChildService(name, entry, {
    ...vars,
    ...instrumentation(name),
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await until(
      async () => {
        if (!service.running) throw new Error(`${name} exited`);
        const res = await fetch(`${url}/health`).catch(() => undefined);
        return res?.status === 200;
      },
      `${name} /health`,
      120_000,
      250,
    );
  } catch (e) {
    const tail = service.tail(30);
    await service.kill();
    throw new Error(`${(e as Error).message}\n${tail}`, { cause: e });
  }
  return { service, url };
}

const common = (n: BenchNames) => ({
  ...kafkaVars(),
  LOG_TOPIC: n.log,
  LOG_PARTITIONS: String(n.partitions),
  PARKED_TOPIC: n.parked,
});

export async function startIngest(
  n: BenchNames,
  extra: Record<string, string> = {},
): Promise<RunningService> {
  return started('ingest', builtEntry('ingest'), await freePort(), {
    ...common(n),
    INBOUND_TOPIC: n.inbound,
    INBOUND_PARTITIONS: String(n.partitions),
    DLQ_TOPIC: n.deadLetter,
    CONSUMER_GROUP: uniqueName('bench-ingest'),
    KAFKA_CLIENT_ID: uniqueName('bench-ingest'),
    TRANSACTIONAL_ID_PREFIX: uniqueName('bench-ingest-tx'),
    HTTP_TRANSACTIONAL_ID: uniqueName('bench-ingest-http'),
    SECRETS_KEYS: n.keyRing,
    API_KEYS: n.apiKey,
    ...extra,
  });
}

export async function startDispatcher(
  n: BenchNames,
  extra: Record<string, string> = {},
): Promise<RunningService> {
  return started('dispatcher', builtEntry('dispatcher'), await freePort(), {
    ...common(n),
    RETRY_TOPIC: n.retry,
    STATE_TOPIC: n.state,
    CONSUMER_GROUP: uniqueName('bench-dispatcher'),
    SECRETS_KEYS: n.keyRing,
    SSRF_ALLOWED_NETWORKS: '127.0.0.0/8',
    CALLBACK_TIMEOUT_MS: '10000',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    ...extra,
  });
}

export async function startProjector(
  n: BenchNames,
  extra: Record<string, string> = {},
): Promise<RunningService> {
  return started('projector', builtEntry('projector'), await freePort(), {
    ...common(n),
    DATABASE_URL: databaseUrl(),
    DB_SCHEMA: n.schema,
    CONSUMER_GROUP: uniqueName('bench-projector'),
    API_KEYS: n.apiKey,
    // Nothing in the benchmarks sends mail; an unused local port keeps it off the network.
    SMTP_URL: 'smtp://127.0.0.1:2',
    ...extra,
  });
}

/** Runs the projector's replay tool to completion. */
export function runReplay(n: BenchNames, schema: string, timeoutMs: number): Promise<ScriptResult> {
  return runScript(
    builtEntry('projector', 'cli/replay.cli.js'),
    ['--schema', schema],
    {
      ...kafkaVars(),
      DATABASE_URL: databaseUrl(),
      LOG_TOPIC: n.log,
      // An experiment's node options for the replay tool alone (e.g. a larger young generation).
      ...(process.env.BENCH_REPLAY_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_REPLAY_NODE_OPTIONS }),
    },
    timeoutMs,
  );
}

/** Runs the projector's verify tool: the replayed schema against the live one. */
export function runVerify(n: BenchNames, replaySchema: string, timeoutMs: number): Promise<ScriptResult> {
  return runScript(
    builtEntry('projector', 'cli/verify.cli.js'),
    ['--replay', replaySchema, '--live', n.schema],
    { ...kafkaVars(), DATABASE_URL: databaseUrl(), LOG_TOPIC: n.log },
    timeoutMs,
  );
}

export async function stopAll(services: (RunningService | undefined)[]): Promise<void> {
  await Promise.all(
    services.flatMap((s) => (s ? [s.service.stop(15_000).catch(() => s.service.kill())] : [])),
  );
}

/** Peak (VmHWM) and current (VmRSS) resident memory of a process, in MiB; undefined once it exited. */
export function memoryOf(pid: number | undefined): { peakMiB: number; rssMiB: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMiB: kb('VmHWM') / 1024, rssMiB: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

/** Sum of a Prometheus counter (all label sets) from a service's /metrics. */
export async function counter(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
