import { z } from 'zod';

/** Log levels, most severe first; each level also prints every level before it. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';

/**
 * The logging variables every service reads; each app spreads them into its own configuration
 * schema so that they are validated at boot and listed in its docs table.
 */
export const loggingEnv = {
  /** `json` (one object per line) or `pretty`; unset = pretty on a terminal, json otherwise. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** Least severe level printed. */
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
};

export interface LogSettings {
  format: LogFormat;
  level: LogLevelName;
}

/**
 * The settings in `env`, leniently: an invalid value falls back to the default here, because the
 * service's own configuration check reports it (exit 78) and needs a logger to say so.
 */
export function logSettingsFrom(
  env: NodeJS.ProcessEnv = process.env,
  isTerminal = process.stdout.isTTY === true,
): LogSettings {
  const format = loggingEnv.LOG_FORMAT.safeParse(env.LOG_FORMAT?.trim() || undefined).data;
  const level = loggingEnv.LOG_LEVEL.safeParse(env.LOG_LEVEL?.trim() || undefined).data ?? 'info';
  return { format: format ?? (isTerminal ? 'pretty' : 'json'), level };
}

/** Levels at `level` or more severe. */
export function levelsUpTo(level: LogLevelName): LogLevelName[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}
