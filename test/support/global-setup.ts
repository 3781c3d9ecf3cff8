import { execSync } from 'node:child_process';
import {
  findOrStartPostgres,
  type LocalService,
  removeRunDir,
  say,
  startRunBroker,
  sweepAbandonedRuns,
} from './local-services';

/** What this run started, for the global teardown (the only place that can read it). */
export interface StartedServices {
  __testServices?: LocalService[];
}

/**
 * Finds the Kafka broker and PostgreSQL the integration tests talk to, so that `npm test` works
 * on a fresh clone with nothing running and nothing set:
 * 1. `KAFKA_BROKERS` / `DATABASE_URL` when set;
 * 2. otherwise, when a Docker engine answers, containers started with testcontainers;
 * 3. otherwise, as `npm start` does: a Kafka broker of this run from scripts/kafka.sh (free
 *    ports, own data directory), and PostgreSQL at 127.0.0.1:5432 if it answers, else an
 *    embedded one. The teardown stops exactly what was started here.
 */
export default async function globalSetup(): Promise<void> {
  const needKafka = !process.env.KAFKA_BROKERS;
  const needPostgres = !process.env.DATABASE_URL;
  if (!needKafka && !needPostgres) return;
  const started: LocalService[] = [];
  (globalThis as StartedServices).__testServices = started;
  if (dockerAvailable()) {
    await startContainers(needKafka, needPostgres, started);
    return;
  }
  await sweepAbandonedRuns();
  started.push({ description: 'the run directory', stop: async () => removeRunDir() });
  if (needKafka) {
    say('KAFKA_BROKERS is not set: starting a Kafka broker for this run');
    const broker = await startRunBroker();
    started.push(broker);
    process.env.KAFKA_BROKERS = broker.brokers;
    say(`using ${broker.description}`);
  }
  if (needPostgres) {
    const pg = await findOrStartPostgres();
    if (pg.stop) started.push({ description: pg.description!, stop: pg.stop });
    process.env.DATABASE_URL = pg.url;
    say(`using ${pg.description ?? `PostgreSQL ${new URL(pg.url).host}`}`);
  }
}

async function startContainers(needKafka: boolean, needPostgres: boolean, started: LocalService[]) {
  // Loaded only here so that a machine without Docker never touches testcontainers.
  if (needKafka) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const kafka = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
    process.env.KAFKA_BROKERS = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
    started.push({ description: 'Kafka container', stop: async () => void (await kafka.stop()) });
  }
  if (needPostgres) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const pg = await new PostgreSqlContainer('postgres:16-alpine').start();
    process.env.DATABASE_URL = pg.getConnectionUri();
    started.push({ description: 'PostgreSQL container', stop: async () => void (await pg.stop()) });
  }
}

function dockerAvailable(): boolean {
  try {
    execSync('docker info', { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
