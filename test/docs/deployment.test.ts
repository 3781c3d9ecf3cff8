import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dispatcherConfigSchema } from '../../apps/dispatcher/src/config/dispatcher.config';
import { ingestEnvSchema } from '../../apps/ingest/src/config/ingest.config';
import { projectorEnvSchema } from '../../apps/projector/src/config/projector.config';

/**
 * Keeps the deployment files true to the code (no Docker engine is needed to read them): one
 * Dockerfile for the three services, on the Node version CI tests with, and a compose file whose
 * services stop more slowly than a dispatcher batch may take to finish.
 */
const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const defaultOf = (schema: { shape: Record<string, { parse(v: unknown): unknown }> }, key: string) =>
  schema.shape[key].parse(undefined);

const apps = [
  { app: 'ingest', port: defaultOf(ingestEnvSchema, 'HTTP_PORT') },
  { app: 'dispatcher', port: defaultOf(dispatcherConfigSchema, 'HTTP_PORT') },
  { app: 'projector', port: defaultOf(projectorEnvSchema, 'HTTP_PORT') },
];

/** The lines of one top-level service of docker-compose.yml. */
function composeService(name: string): string {
  const compose = read('docker-compose.yml');
  const start = compose.indexOf(`\n  ${name}:\n`);
  if (start < 0) throw new Error(`no service ${name} in docker-compose.yml`);
  const rest = compose.slice(start + 1);
  const end = rest.slice(1).search(/\n {2}[a-z][\w-]*:\n/);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

const seconds = (duration: string) => {
  const m = /^(\d+)(ms|s|m)$/.exec(duration);
  if (!m) throw new Error(`unreadable duration ${duration}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] as 'ms' | 's' | 'm'];
};

describe('deployment files', () => {
  it('build every service from the one Dockerfile, on the Node version CI tests with', () => {
    expect(read('Dockerfile')).toContain(`ARG NODE_VERSION=${read('.nvmrc').trim()}\n`);
    expect(read('Dockerfile')).toMatch(/^HEALTHCHECK /m);
    for (const { app } of apps) expect(existsSync(join(root, 'apps', app, 'Dockerfile'))).toBe(false);
  });

  it.each(apps)('give $app its own APP and PORT build arguments', ({ app, port }) => {
    expect(composeService(app)).toContain(`args: { APP: ${app}, PORT: ${String(port)} }`);
  });

  it.each(apps)('let $app finish a dispatcher batch before Docker kills it', ({ app }) => {
    const grace = /stop_grace_period: (\S+)/.exec(composeService(app))?.[1];
    expect(grace).toBeDefined();
    const batchWaitSeconds = Number(defaultOf(dispatcherConfigSchema, 'BATCH_WAIT_MS')) / 1000;
    expect(seconds(grace!)).toBeGreaterThan(batchWaitSeconds);
  });
});
