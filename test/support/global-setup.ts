import { execSync } from 'node:child_process';

/**
 * Finds the Kafka broker and PostgreSQL the integration tests talk to:
 * 1. `KAFKA_BROKERS` / `DATABASE_URL` when set (CI starts a local broker with scripts/kafka.sh);
 * 2. otherwise, when a Docker engine answers, containers started with testcontainers;
 * 3. otherwise a clear error saying how to provide them.
 */
export default async function globalSetup(): Promise<void> {
  const needKafka = !process.env.KAFKA_BROKERS;
  const needPostgres = !process.env.DATABASE_URL;
  if (!needKafka && !needPostgres) return;

  if (!dockerAvailable()) {
    const missing = [needKafka && 'KAFKA_BROKERS', needPostgres && 'DATABASE_URL']
      .filter(Boolean)
      .join(' and ');
    throw new Error(
      `Integration tests need a Kafka broker and PostgreSQL. ${missing} not set and no Docker engine answers.\n` +
        'Either start them and export the variables, for example:\n' +
        '  bash scripts/kafka.sh start && export KAFKA_BROKERS=127.0.0.1:9092\n' +
        '  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/test\n' +
        'or run a Docker engine so that testcontainers can start them.',
    );
  }
  // Loaded only here so that a machine without Docker never touches testcontainers.
  const containers: { stop(): Promise<unknown> }[] = [];
  if (needKafka) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const kafka = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
    process.env.KAFKA_BROKERS = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
    containers.push(kafka);
  }
  if (needPostgres) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const pg = await new PostgreSqlContainer('postgres:16-alpine').start();
    process.env.DATABASE_URL = pg.getConnectionUri();
    containers.push(pg);
  }
  (globalThis as { __containers?: typeof containers }).__containers = containers;
}

function dockerAvailable(): boolean {
  try {
    execSync('docker info', { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
