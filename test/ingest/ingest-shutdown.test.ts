import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { eventually, kafkaBrokers, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';

const MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'ingest', 'apps', 'ingest', 'src', 'main.js');

/** The built service as operators run it: environment configuration, SIGTERM to stop. */
describe('the ingest process', () => {
  const tk = new TestKafka();
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await tk.close();
  });

  const run = (env: Record<string, string>) => {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} is missing: run \`npx nest build ingest\` (npm test builds first)`);
    const p = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    p.stdout!.on('data', (c) => (output += c));
    p.stderr!.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
    return { p, exited, output: () => output };
  };

  it('stops with exit code 78 naming the variable when the configuration is bad', async () => {
    const { exited, output } = run({ KAFKA_BROKERS: kafkaBrokers().join(','), API_KEYS: 'short' });
    expect(await exited).toBe(78);
    expect(output()).toContain('SECRETS_KEYS');
    expect(output()).toContain('API_KEYS');
  });

  it('leaves its consumer group and exits 0 on SIGTERM', async () => {
    const group = uniqueName('ingest-proc');
    const proc = run({
      KAFKA_BROKERS: kafkaBrokers().join(','),
      INBOUND_TOPIC: uniqueName('inbound'),
      DLQ_TOPIC: uniqueName('dlq'),
      LOG_TOPIC: uniqueName('log'),
      CONSUMER_GROUP: group,
      TRANSACTIONAL_ID_PREFIX: uniqueName('txn'),
      HTTP_TRANSACTIONAL_ID: uniqueName('http-txn'),
      SECRETS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      API_KEYS: randomBytes(16).toString('hex'),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      NO_COLOR: '1',
    });
    child = proc.p;
    // Port 0: the process picks a free port and logs where it listens.
    const url = await eventually(() => /listening on (http:\/\/[\d.:]+)/.exec(proc.output())?.[1], {
      what: 'ingest to listen',
      timeoutMs: 30_000,
    });
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    const admin = tk.kafka.admin();
    await admin.connect();
    try {
      const [before] = (await admin.describeGroups([group])).groups;
      expect(before.members.length).toBe(1);
      proc.p.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      const [after] = (await admin.describeGroups([group])).groups;
      // Left the group explicitly (no wait for a session timeout before partitions move on).
      expect(after.members.length).toBe(0);
    } finally {
      await admin.disconnect();
    }
  });
});
