import { parseArgs } from 'node:util';
import { configOrExit, loadConfig } from '@app/platform';
import { projectorEnvSchema } from '../config/projector.config';

/** Environment shared by the command-line tools (no API keys or SMTP needed). */
export const cliEnvSchema = projectorEnvSchema.pick({
  KAFKA_BROKERS: true,
  DATABASE_URL: true,
  DB_SCHEMA: true,
  LOG_TOPIC: true,
  APPLY_CHUNK: true,
  PARKED_TOPIC: true,
});

export const cliEnv = (tool: string) => configOrExit(tool, () => loadConfig(cliEnvSchema));

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

export function fail(tool: string, e: unknown): never {
  process.stderr.write(`${tool}: ${(e as Error).message ?? String(e)}\n`);
  process.exit(1);
}
