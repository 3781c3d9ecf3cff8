import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';

/** kafkajs log levels mapped onto Nest's logger; kafkajs INFO is noisy, so it becomes debug. */
function logCreator(context: string) {
  const logger = new Logger(context);
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const line = `${message} ${JSON.stringify(extra)}`;
      if (level === logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
      else logger.debug(line);
    };
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs log level; defaults to WARN. */
  level?: logLevel;
}

export function createKafka({ brokers, clientId, level = logLevel.WARN }: KafkaOptions): Kafka {
  return new Kafka({
    brokers,
    clientId,
    logLevel: level,
    logCreator: logCreator(`kafka:${clientId}`),
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
    connectionTimeout: 5_000,
  });
}
