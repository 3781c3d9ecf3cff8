import { z } from 'zod';

/** A configuration problem: names every variable that is missing or wrong. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads configuration from environment variables once, at start-up. The schema's keys ARE the
 * variable names, so an error message names exactly the variable to fix.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    input[key] = v === undefined || v.trim() === '' ? undefined : v.trim();
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const name = String(i.path[0] ?? '(config)');
        return env[name] === undefined ? `${name}: ${i.message} (not set)` : `${name}: ${i.message}`;
      }),
    );
  }
  return result.data;
}

/** Helpers for environment variables (all strings in, typed values out). */
export const env = {
  string: (def?: string) => (def === undefined ? z.string().min(1) : z.string().min(1).default(def)),
  int: (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce.number().int().min(min).max(max).default(def),
  port: (def: number) => z.coerce.number().int().min(0).max(65535).default(def),
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  /** Comma-separated list. */
  list: (def: string[] = []) =>
    z
      .string()
      .default(def.join(','))
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
  /** Comma-separated host:port list. */
  brokers: (def = '127.0.0.1:9092') =>
    z
      .string()
      .default(def)
      .transform((v) => v.split(',').map((s) => s.trim()))
      .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port[,host:port...]')).min(1)),
  url: (def?: string) => (def === undefined ? z.url() : z.url().default(def)),
};
