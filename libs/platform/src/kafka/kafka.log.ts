import { logLevel, type LogEntry } from 'kafkajs';
import { errorCodes } from 'kafkajs/src/protocol/error';
import { loggerFor, type ContextLogger, type LogRecord } from '../logging/context.logger';
import { type LogLevelName, logSettingsFrom } from '../logging/log.settings';

/**
 * kafkajs logs only the message of a broker error, never its code; its own table (the one that
 * builds those errors) turns the message back into the protocol error type.
 */
const TYPE_OF_MESSAGE = new Map(errorCodes.map((e) => [e.message, e.type]));

/**
 * Broker answers that kafkajs rides out by itself while topics are created, leaders elected,
 * coordinators loaded and groups rebalanced: it refreshes metadata and retries, or re-joins. They
 * are part of every start-up and rebalance; if they persist, the retry gives up and the caller's
 * failure is logged as an error.
 */
const TRANSIENT = new Set([
  'NOT_LEADER_FOR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'GROUP_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'REBALANCE_IN_PROGRESS',
  'CONCURRENT_TRANSACTIONS',
]);
/**
 * The protocol error type behind a kafkajs error (a retry wrapper keeps the original as `cause`),
 * if it is one of the transient broker states above: classified by code, as an error should be.
 */
export function transientKafkaError(error: unknown): string | undefined {
  for (
    let e = error as { type?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth += 1
  ) {
    if (typeof e.type === 'string') return TRANSIENT.has(e.type) ? e.type : undefined;
    e = e.cause as typeof e;
  }
  return undefined;
}

/**
 * kafkajs's own account of a consumer crash and its restart: ConsumerSupervisor logs every crash
 * from the CRASH event instead, where the error itself (and its code) is at hand.
 */
const CRASH_NARRATION = ['Crash: ', 'Restarting the consumer in '];

/** The member was dropped from its group (missed its session) and re-joins: worth a warning. */
const REJOIN = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']);

/**
 * Notices that this project has acted on, so they would only mislead an operator.
 * - Limited retries on an idempotent producer: every such producer here either is transactional
 *   (a send that gives up aborts the transaction, so nothing half-written becomes visible) or
 *   appends events whose readers de-duplicate by event id (the projector's outbox relay).
 */
const SILENCED = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

export interface KafkaLogLine {
  level: LogLevelName;
  message: string;
  fields: Record<string, unknown>;
}

/** The level a kafkajs log entry is printed at, or undefined when it is not printed at all. */
export function kafkaLogLine({ namespace, level, log }: Omit<LogEntry, 'label'>): KafkaLogLine | undefined {
  const { message, timestamp: _t, logger: _l, ...fields } = log as LogEntry['log'] & { logger?: string };
  if (SILENCED.has(message)) return undefined;
  const type = typeof fields.error === 'string' ? TYPE_OF_MESSAGE.get(fields.error) : undefined;
  const line = (l: LogLevelName): KafkaLogLine => ({
    level: l,
    message,
    fields: { ...fields, ...(type ? { errorType: type } : {}) },
  });
  // kafkajs logs every failed request where it is answered, before the retry or the caller that
  // sent it decides; that decision is what gets logged as a failure, so this line is detail.
  if (namespace === 'Connection' && 'correlationId' in fields) return line('debug');
  if (namespace === 'Consumer' && CRASH_NARRATION.some((m) => message.startsWith(m))) return line('debug');
  if (type && TRANSIENT.has(type)) return line('debug');
  if (type && REJOIN.has(type)) return line('warn');
  if (level === logLevel.ERROR) return line('error');
  if (level === logLevel.WARN) return line('warn');
  // kafkajs INFO narrates every connect, join and stop.
  return line(level === logLevel.INFO ? 'debug' : 'trace');
}

/** The least severe kafkajs level worth producing for our LOG_LEVEL (kafkajs DEBUG is per request). */
export function kafkaLogLevelFor(level: LogLevelName = logSettingsFrom().level): logLevel {
  if (level === 'trace') return logLevel.DEBUG;
  if (level === 'debug') return logLevel.INFO;
  return logLevel.WARN;
}

const PRINT: Record<LogLevelName, (logger: ContextLogger, record: LogRecord) => void> = {
  fatal: (l, r) => l.fatal(r),
  error: (l, r) => l.error(r),
  warn: (l, r) => l.warn(r),
  info: (l, r) => l.log(r),
  debug: (l, r) => l.debug(r),
  trace: (l, r) => l.verbose(r),
};

/** kafkajs's logCreator: entries go to the service's logger with their fields under `kafka`. */
export function kafkaLogCreator(context: string) {
  const logger = loggerFor(context);
  return () => (entry: LogEntry) => {
    const line = kafkaLogLine(entry);
    if (line) PRINT[line.level](logger, { message: line.message, kafka: line.fields });
  };
}
