import { classifyFailure } from './failure.classify';

/** Errors shaped as kafkajs, pg, TypeORM and Node raise them (only the fields that are read). */
const kafkaProtocol = (type: string) => Object.assign(new Error('x'), { name: 'KafkaJSProtocolError', type });
const kafka = (name: string, cause?: unknown) => Object.assign(new Error('x'), { name, cause });
const pg = (code: string) => Object.assign(new Error('x'), { code, severity: 'ERROR' });
const system = (code: string) => Object.assign(new Error('x'), { code });

describe('classifyFailure', () => {
  it.each(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE'])(
    'a Kafka answer about the records sent (%s) is deterministic',
    (type) => {
      expect(classifyFailure(kafkaProtocol(type))).toEqual({ class: 'deterministic', code: type });
    },
  );

  it.each([
    'NOT_LEADER_FOR_PARTITION',
    'CONCURRENT_TRANSACTIONS',
    'INVALID_PRODUCER_EPOCH',
    'REBALANCE_IN_PROGRESS',
  ])('a Kafka answer about the cluster (%s) is transient', (type) => {
    expect(classifyFailure(kafkaProtocol(type)).class).toBe('transient');
  });

  it('a lost connection or a timeout of kafkajs is transient, also once its retries are exhausted', () => {
    const lost = kafka('KafkaJSConnectionError');
    expect(classifyFailure(lost)).toEqual({ class: 'transient', code: 'KafkaJSConnectionError' });
    expect(classifyFailure(kafka('KafkaJSNumberOfRetriesExceeded', lost)).class).toBe('transient');
    expect(classifyFailure(kafka('KafkaJSRequestTimeoutError')).class).toBe('transient');
  });

  it('looks through a wrapper to the record error it carries', () => {
    const wrapped = kafka('KafkaJSNonRetriableError', kafkaProtocol('MESSAGE_TOO_LARGE'));
    expect(classifyFailure(wrapped)).toEqual({ class: 'deterministic', code: 'MESSAGE_TOO_LARGE' });
    const typeorm = Object.assign(new Error('x'), { name: 'QueryFailedError', driverError: pg('22003') });
    expect(classifyFailure(typeorm)).toEqual({ class: 'deterministic', code: '22003' });
  });

  it.each([
    ['22003', 'numeric value out of range'],
    ['22021', 'invalid byte sequence (a NUL)'],
    ['22P05', 'untranslatable character'],
    ['23505', 'unique violation'],
    ['42P01', 'undefined table'],
    ['54000', 'program limit exceeded'],
  ])('a PostgreSQL data or statement error (%s, %s) is deterministic', (code) => {
    expect(classifyFailure(pg(code))).toEqual({ class: 'deterministic', code });
  });

  it.each([
    ['08006', 'connection failure'],
    ['57P01', 'admin shutdown'],
    ['57014', 'query cancelled'],
    ['53300', 'too many connections'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
    ['55P03', 'lock not available'],
  ])('a PostgreSQL server or session error (%s, %s) is transient', (code) => {
    expect(classifyFailure(pg(code)).class).toBe('transient');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'])(
    'an unreachable peer (%s) is transient',
    (code) => {
      expect(classifyFailure(system(code))).toEqual({ class: 'transient', code });
    },
  );

  it('a programming error a record triggers, or anything unrecognised, is deterministic', () => {
    expect(classifyFailure(new TypeError('x'))).toEqual({ class: 'deterministic', code: 'TypeError' });
    expect(classifyFailure(new RangeError('Maximum call stack size exceeded')).code).toBe('RangeError');
    expect(classifyFailure('a string').class).toBe('deterministic');
    expect(classifyFailure(undefined).class).toBe('deterministic');
  });

  it('an error of this service marked retriable (a slow state load) is transient', () => {
    const slow = Object.assign(new Error('loading took too long'), { retriable: true });
    expect(classifyFailure(slow)).toEqual({ class: 'transient', code: 'Error' });
  });

  it('never reads the message text', () => {
    const misleading = new Error('ECONNREFUSED: connection refused by MESSAGE_TOO_LARGE');
    expect(classifyFailure(misleading)).toEqual({ class: 'deterministic', code: 'Error' });
  });
});
