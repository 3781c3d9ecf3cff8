import { ConsoleLogger, Logger, type LogLevel } from '@nestjs/common';
import { ConfigError } from '../config/config.loader';
import { installLoggers, type LogRecord } from '../logging/context.logger';
import { levelsUpTo, type LogLevelName, type LogSettings, logSettingsFrom } from '../logging/log.settings';

const NEST_LEVEL: Record<LogLevelName, LogLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'log',
  debug: 'debug',
  trace: 'verbose',
};
const NAME_OF = Object.fromEntries(Object.entries(NEST_LEVEL).map(([name, nest]) => [nest, name])) as Record<
  LogLevel,
  LogLevelName
>;

/**
 * Nest's own start-up narration (every module, controller and route, a dozen lines per service):
 * useful when debugging the wiring, noise on every start. It is printed at debug.
 */
const FRAMEWORK_NARRATION = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

const isLogRecord = (m: unknown): m is LogRecord =>
  typeof m === 'object' && m !== null && !Array.isArray(m) && typeof (m as LogRecord).message === 'string';

/** JSON.stringify that never throws on the values a log field may hold (bigints, errors, cycles). */
function safeJson(value: unknown, fallback: unknown = String(value)): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v instanceof Error ? { name: v.name, message: v.message } : v,
    );
  } catch {
    return JSON.stringify(fallback);
  }
}

/**
 * Nest's console logger with the two formats operators expect. `json`: one object per line with
 * `time`, `level`, `service`, `context`, `message` and the record's fields (ids such as
 * `communicationId`, `eventId`). `pretty`: Nest's coloured lines, fields appended.
 */
export class AppLogger extends ConsoleLogger {
  constructor(
    readonly service: string,
    settings: Pick<LogSettings, 'format'> & { levels: LogLevelName[] },
  ) {
    super({
      json: settings.format === 'json',
      compact: settings.format === 'json' ? true : undefined,
      logLevels: settings.levels.map((l) => NEST_LEVEL[l]),
      prefix: service,
    });
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && FRAMEWORK_NARRATION.has(context)) this.debug(message, ...rest);
    else super.log(message, ...rest);
  }

  protected override printAsJson(
    message: unknown,
    options: {
      context: string;
      logLevel: LogLevel;
      writeStreamType?: 'stdout' | 'stderr';
      errorStack?: unknown;
    },
  ): void {
    const { message: text, ...fields } = isLogRecord(message) ? message : { message };
    const head = {
      time: new Date().toISOString(),
      level: NAME_OF[options.logLevel],
      service: this.service,
      context: options.context || undefined,
      message: text,
    };
    // Nest passes `errorStack` only for error(message, stack); a record may carry its own `stack`.
    const stack = options.errorStack === undefined ? {} : { stack: options.errorStack };
    const line = safeJson({ ...head, ...fields, ...stack }, { ...head, message: String(text) });
    process[options.writeStreamType ?? 'stdout'].write(`${line}\n`);
  }

  protected override stringifyMessage(message: unknown, logLevel: LogLevel): string {
    if (!isLogRecord(message)) return super.stringifyMessage(message, logLevel) as string;
    const { message: text, ...fields } = message;
    const extra = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : safeJson(v)}`)
      .join('');
    return this.colorize(`${text}${extra}`, logLevel);
  }
}

/**
 * The logger of a service process, from LOG_FORMAT and LOG_LEVEL. `levels` overrides LOG_LEVEL
 * (tests ask for errors only); `false` silences Nest entirely.
 */
export function appLogger(service: string, levels?: LogLevel[] | false): AppLogger | false {
  if (levels === false) return false;
  const settings = logSettingsFrom();
  return new AppLogger(service, {
    format: settings.format,
    levels: levels ? levels.map((l) => NAME_OF[l]) : levelsUpTo(settings.level),
  });
}

/**
 * For a service's `main`: its logger, installed for Nest's static `Logger` before the application
 * exists, so that a failure during start-up is logged in the same format as everything else.
 */
export function processLogger(service: string): Logger {
  Logger.overrideLogger(appLogger(service));
  return new Logger(service);
}

/** The framework-free platform code logs through Nest's logger, so its lines have the service's format. */
installLoggers((context) => new Logger(context));

/** Runs `load`, and on a ConfigError logs it and exits: a bad value stops the service at boot (exit 78). */
export function configOrExit<T>(app: string, load: () => T): T {
  try {
    return load();
  } catch (e) {
    if (e instanceof ConfigError) {
      const logger = appLogger(app);
      if (logger) {
        logger.fatal(
          { message: `invalid configuration: ${e.problems.join('; ')}`, problems: e.problems },
          'config',
        );
      }
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}
