/**
 * Settings every benchmark shares. The local broker and Postgres are the defaults; both can be
 * pointed elsewhere with the variables the services use. Names come from the test helpers so a
 * bench run never collides with a test run or another bench run.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';
import { kafkaConnectionFrom, kafkaEnv, loadConfig } from '@app/platform';
import { configOrExit } from '@app/platform/nest';

process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';

export { uniqueName, eventually } from '../../test/support/environment';

export const brokers = (): string[] => process.env.KAFKA_BROKERS!.split(',').map((s) => s.trim());
export const databaseUrl = (): string => process.env.DATABASE_URL!;

/** A client of the benchmarked cluster, secured as the services are (KAFKA_SSL, KAFKA_SASL_*). */
export function benchKafka(clientId: string, level = logLevel.NOTHING): Kafka {
  const connection = configOrExit('bench', () => kafkaConnectionFrom(loadConfig(z.object(kafkaEnv))));
  return new Kafka({ ...connection, clientId, logLevel: level });
}

/** The Kafka variables set here, passed on to the services and tools a benchmark starts. */
export function kafkaVars(): Record<string, string> {
  return Object.fromEntries(
    Object.keys(kafkaEnv).flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
  );
}

/** A size from the environment (`BENCH_<NAME>`), else the size. */
export function size(name: string, fallback: number): number {
  const v = process.env[`BENCH_${name}`];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`BENCH_${name} must be a positive integer, got "${v}"`);
  return n;
}

/** A line describing the machine, printed with every result (the figures mean nothing without it). */
export function machine(): string {
  const gib = (n: number) => (n / 1024 ** 3).toFixed(1);
  return `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${gib(os.totalmem())} GiB memory, node ${process.version}`;
}

export const randomKeyRing = () => `bench1:${randomBytes(32).toString('base64')}`;
export const randomApiKey = () => `bench-${randomBytes(16).toString('hex')}`;
