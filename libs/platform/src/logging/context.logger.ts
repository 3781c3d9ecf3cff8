/**
 * What the framework-free platform code logs through (kafkajs entries, the consumer supervisor,
 * parking). It names no framework: the process installs the logger behind it once
 * (`@app/platform/nest` installs Nest's, so every line has the service's format, decision 0709).
 * Until then lines go to the console.
 */

/**
 * A log call with fields: `logger.warn({ message: 'dead-lettered', eventId, partition })`. In json
 * the fields become keys of the line; in pretty they follow the message as `key=value`.
 */
export interface LogRecord {
  message: string;
  [field: string]: unknown;
}

export interface ContextLogger {
  fatal(message: unknown): void;
  log(message: unknown): void;
  warn(message: unknown): void;
  error(message: unknown): void;
  debug(message: unknown): void;
  verbose(message: unknown): void;
}

export type LoggerFactory = (context: string) => ContextLogger;

const consoleLogger: LoggerFactory = (context) => {
  const line = (message: unknown) =>
    `[${context}] ${typeof message === 'string' ? message : JSON.stringify(message)}`;
  return {
    fatal: (m) => console.error(line(m)),
    log: (m) => console.log(line(m)),
    warn: (m) => console.warn(line(m)),
    error: (m) => console.error(line(m)),
    debug: () => undefined,
    verbose: () => undefined,
  };
};

let factory: LoggerFactory = consoleLogger;
let made = new Map<string, ContextLogger>();

/** Puts `logger` behind every `loggerFor`, including those created before. */
export function installLoggers(logger: LoggerFactory): void {
  factory = logger;
  made = new Map();
}

const current = (context: string): ContextLogger => {
  let logger = made.get(context);
  if (!logger) made.set(context, (logger = factory(context)));
  return logger;
};

/** A logger for `context` that follows the installed one (it asks at every call, from a cache). */
export function loggerFor(context: string): ContextLogger {
  return {
    fatal: (m) => current(context).fatal(m),
    log: (m) => current(context).log(m),
    warn: (m) => current(context).warn(m),
    error: (m) => current(context).error(m),
    debug: (m) => current(context).debug(m),
    verbose: (m) => current(context).verbose(m),
  };
}
