import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { errorCodes } from 'kafkajs/src/protocol/error';
import { idempotentProducer, transactionalProducer } from './kafka.client';
import { kafkaLogLevelFor, kafkaLogLine, transientKafkaError } from './kafka.log';

/** The broker's message for a protocol error, as kafkajs logs it (from kafkajs's own table). */
const messageOf = (type: string) => errorCodes.find((e) => e.type === type)!.message;

const entry = (namespace: string, level: logLevel, log: Record<string, unknown>): LogEntry => ({
  namespace,
  level,
  label: logLevel[level],
  log: { timestamp: '2026-11-30T00:00:00.000Z', logger: 'kafkajs', message: 'm', ...log },
});

/** A kafkajs client that records what it logs; creating producers needs no broker. */
function recordingKafka(): { kafka: Kafka; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const kafka = new Kafka({
    brokers: ['127.0.0.1:1'],
    clientId: 'spec',
    logLevel: logLevel.WARN,
    logCreator: () => (e) => void entries.push(e),
  });
  return { kafka, entries };
}

describe('kafkaLogLine', () => {
  it('prints a failed request at debug: the retry or the caller decides what it means', () => {
    // given: a metadata answer during a leader election, as the connection logs it
    const sut = entry('Connection', logLevel.ERROR, {
      message: 'Response ListOffsets(key: 2, version: 3)',
      error: messageOf('NOT_LEADER_FOR_PARTITION'),
      correlationId: 7,
      size: 165,
    });
    // when
    const line = kafkaLogLine(sut);
    // then
    expect(line?.level).toBe('debug');
    expect(line?.fields).toMatchObject({ errorType: 'NOT_LEADER_FOR_PARTITION', correlationId: 7 });
  });

  it.each(['REBALANCE_IN_PROGRESS', 'GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE'])(
    'prints %s, which kafkajs rides out itself, at debug',
    (type) => {
      // given
      const sut = entry('Runner', logLevel.WARN, {
        message: 'The group is rebalancing, re-joining',
        error: messageOf(type),
      });
      // when / then
      expect(kafkaLogLine(sut)?.level).toBe('debug');
    },
  );

  it('warns when the member was dropped from its group and re-joins', () => {
    // given
    const sut = entry('Runner', logLevel.ERROR, {
      message: 'The coordinator is not aware of this member, re-joining the group',
      error: messageOf('UNKNOWN_MEMBER_ID'),
    });
    // when / then
    expect(kafkaLogLine(sut)?.level).toBe('warn');
  });

  it('keeps a real failure an error', () => {
    // given: no broker of the list can be reached
    const sut = entry('BrokerPool', logLevel.ERROR, {
      message: 'Failed to connect to seed broker, trying another broker from the list: Connection error',
      retryCount: 3,
    });
    // when / then
    expect(kafkaLogLine(sut)?.level).toBe('error');
  });

  it("leaves kafkajs's crash and restart narration to the supervisor, which logs the crash itself", () => {
    const crash = entry('Consumer', logLevel.ERROR, {
      message: 'Crash: KafkaJSProtocolError: busy',
      groupId: 'g',
    });
    const restart = entry('Consumer', logLevel.ERROR, {
      message: 'Restarting the consumer in 300ms',
      groupId: 'g',
    });
    expect([kafkaLogLine(crash)?.level, kafkaLogLine(restart)?.level]).toEqual(['debug', 'debug']);
  });

  it('keeps a connection failure an error (the broker is unreachable)', () => {
    // given
    const sut = entry('Connection', logLevel.ERROR, {
      message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    });
    // when / then
    expect(kafkaLogLine(sut)?.level).toBe('error');
  });

  it('moves kafkajs INFO narration to debug and its DEBUG to trace', () => {
    expect(kafkaLogLine(entry('Consumer', logLevel.INFO, { message: 'Starting' }))?.level).toBe('debug');
    expect(kafkaLogLine(entry('Connection', logLevel.DEBUG, { message: 'Request' }))?.level).toBe('trace');
  });

  it('drops the timestamp and logger fields kafkajs repeats on every entry', () => {
    // when
    const line = kafkaLogLine(entry('Consumer', logLevel.WARN, { message: 'x', groupId: 'g' }));
    // then
    expect(line).toEqual({ level: 'warn', message: 'x', fields: { groupId: 'g' } });
  });
});

describe('the producers of this project', () => {
  it('print no notice: the partitioner is explicit and the idempotent-retry notice is answered', () => {
    // given
    const { kafka, entries } = recordingKafka();
    // when
    transactionalProducer(kafka, { transactionalId: 'spec-txn' });
    idempotentProducer(kafka);
    // then: kafkajs did say something (retries are bounded on purpose), and none of it is printed
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.map(kafkaLogLine).filter(Boolean)).toEqual([]);
  });

  it('a producer without an explicit partitioner is still reported', () => {
    // given
    const { kafka, entries } = recordingKafka();
    // when
    kafka.producer();
    // then
    expect(
      entries
        .map(kafkaLogLine)
        .filter(Boolean)
        .map((l) => l!.level),
    ).toEqual(['warn']);
  });
});

describe('kafkaLogLevelFor', () => {
  it('asks kafkajs for warnings only unless LOG_LEVEL asks for detail', () => {
    expect(kafkaLogLevelFor('info')).toBe(logLevel.WARN);
    expect(kafkaLogLevelFor('error')).toBe(logLevel.WARN);
    expect(kafkaLogLevelFor('debug')).toBe(logLevel.INFO);
    expect(kafkaLogLevelFor('trace')).toBe(logLevel.DEBUG);
  });
});

describe('transientKafkaError', () => {
  const protocolError = (type: string) => Object.assign(new Error(messageOf(type)), { type });

  it('names a transient broker state by its code', () => {
    expect(transientKafkaError(protocolError('GROUP_LOAD_IN_PROGRESS'))).toBe('GROUP_LOAD_IN_PROGRESS');
  });

  it('finds it behind the retry wrapper that gave up on it', () => {
    const gaveUp = Object.assign(new Error('retries exceeded'), {
      cause: protocolError('REBALANCE_IN_PROGRESS'),
    });
    expect(transientKafkaError(gaveUp)).toBe('REBALANCE_IN_PROGRESS');
  });

  it('says nothing of any other error', () => {
    expect(transientKafkaError(protocolError('TOPIC_AUTHORIZATION_FAILED'))).toBeUndefined();
    expect(transientKafkaError(new Error('Connection error: ECONNREFUSED'))).toBeUndefined();
    expect(transientKafkaError(undefined)).toBeUndefined();
  });
});
