import { parseArgs } from 'node:util';
import { configOrExit } from '@app/platform/nest';
import { EXIT_KAFKA_REFUSED, kafkaConnectionFrom, kafkaEnv, kafkaRefusal, loadConfig } from '@app/platform';
import { projectorEnvSchema } from '../config/projector.config';

/** Environment shared by the command-line tools (no API keys or SMTP needed). */
export const cliEnvSchema = projectorEnvSchema.pick({
  ...(Object.fromEntries(Object.keys(kafkaEnv).map((k) => [k, true])) as Record<keyof typeof kafkaEnv, true>),
  DATABASE_URL: true,
  DB_SCHEMA: true,
  LOG_TOPIC: true,
  APPLY_CHUNK: true,
  REPLAY_CHUNK: true,
  PARKED_TOPIC: true,
});

/** The tools' variables, with the Kafka connection (brokers, TLS, SASL) read from them. */
export const cliEnv = (tool: string) =>
  configOrExit(tool, () => {
    const v = loadConfig(cliEnvSchema);
    return { ...v, kafka: kafkaConnectionFrom(v) };
  });

/** Parses `--name value` options; unknown options or a missing value stop with usage (exit 64). */
export function cliOptions<T extends Record<string, { type: 'string' | 'boolean' }>>(
  tool: string,
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ options, allowPositionals: false, strict: true }).values;
  } catch (e) {
    process.stderr.write(`${tool}: ${(e as Error).message}\nusage: ${usage}\n`);
    process.exit(64);
  }
}

/** Exit 1 with the error; 77 when Kafka refused the credentials or certificate (no retry helps). */
export function fail(tool: string, e: unknown): never {
  const refusal = kafkaRefusal(e);
  if (refusal) {
    process.stderr.write(`${tool}: ${refusal}\n`);
    process.exit(EXIT_KAFKA_REFUSED);
  }
  process.stderr.write(`${tool}: ${(e as Error).message ?? String(e)}\n`);
  process.exit(1);
}
