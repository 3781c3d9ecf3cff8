import { inspect } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config/config.loader';
import { kafkaConnectionFrom, kafkaEnv, kafkaRefusal } from './kafka.connection';

const files: Record<string, string> = {
  '/etc/kafka/ca.pem': 'CA PEM',
  '/etc/kafka/client.pem': 'CERT PEM',
  '/etc/kafka/client.key': 'KEY PEM',
  '/run/secrets/kafka': 's3cret-from-file\n',
  '/run/secrets/empty': '',
};
const read = (path: string) => {
  if (path in files) return files[path];
  throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
};

/** Given these variables, when they are loaded and combined. */
const connect = (vars: Record<string, string>) =>
  kafkaConnectionFrom(loadConfig(z.object(kafkaEnv), vars), read);
const problemsOf = (vars: Record<string, string>): string[] => {
  try {
    connect(vars);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('kafkaConnectionFrom', () => {
  it('given only KAFKA_BROKERS, connects in plaintext without authentication', () => {
    expect(connect({ KAFKA_BROKERS: 'a:9092,b:9092' })).toEqual({ brokers: ['a:9092', 'b:9092'] });
  });

  it('given KAFKA_SSL with a CA file and SCRAM credentials, builds what kafkajs takes', () => {
    const c = connect({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'dispatcher',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    expect(c.ssl).toEqual({ ca: ['CA PEM'] });
    expect(c.sasl).toMatchObject({ mechanism: 'scram-sha-512', username: 'dispatcher' });
    expect((c.sasl as { password: string }).password).toBe('pw');
  });

  it('given KAFKA_SSL alone, trusts the system CAs (managed Kafka)', () => {
    expect(connect({ KAFKA_SSL: 'true' }).ssl).toEqual({});
  });

  it('given a client certificate and key, sets up mutual TLS', () => {
    const c = connect({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem',
      KAFKA_SSL_KEY_FILE: '/etc/kafka/client.key',
    });
    expect(c.ssl).toEqual({ cert: 'CERT PEM', key: 'KEY PEM' });
  });

  it('given KAFKA_SASL_PASSWORD_FILE, reads the password without the trailing newline', () => {
    const c = connect({
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'ingest',
      KAFKA_SASL_PASSWORD_FILE: '/run/secrets/kafka',
    });
    expect((c.sasl as { password: string }).password).toBe('s3cret-from-file');
  });

  it('then the password shows in no JSON and no inspection of the configuration', () => {
    const c = connect({
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'projector',
      KAFKA_SASL_PASSWORD: 'never-printed',
    });
    expect(JSON.stringify(c)).not.toContain('never-printed');
    expect(inspect(c, { depth: 10 })).not.toContain('never-printed');
    expect(JSON.stringify({ ...c, sasl: { ...c.sasl } })).not.toContain('never-printed');
  });

  it('names every variable of a wrong combination at once, never a password', () => {
    const problems = problemsOf({
      KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_PASSWORD: 'leak-me-not',
      KAFKA_SASL_PASSWORD_FILE: '/run/secrets/kafka',
    });
    expect(problems).toEqual([
      'KAFKA_SSL_CA_FILE: only used with KAFKA_SSL=true',
      'KAFKA_SASL_MECHANISM: plain sends the password in clear; it needs KAFKA_SSL=true',
      'KAFKA_SASL_USERNAME: required with plain',
      'KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE: set one, not both',
    ]);
    expect(problems.join()).not.toContain('leak-me-not');
  });

  it('refuses credentials without a mechanism, a missing password, and unreadable or empty files', () => {
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'x' })).toEqual([
      'KAFKA_SASL_USERNAME: only used with KAFKA_SASL_MECHANISM',
    ]);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'x' })).toEqual([
      'KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE): required with scram-sha-512',
    ]);
    expect(
      problemsOf({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: '/nope.pem',
        KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'x',
        KAFKA_SASL_PASSWORD_FILE: '/run/secrets/empty',
      }),
    ).toEqual([
      'KAFKA_SSL_CA_FILE: cannot read /nope.pem (ENOENT)',
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: set both (mutual TLS) or neither',
      'KAFKA_SASL_PASSWORD_FILE: the file is empty',
    ]);
  });

  it('rejects an unknown mechanism by its variable name', () => {
    expect(() => connect({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });
});

describe('kafkaRefusal', () => {
  it('explains refused SASL credentials', () => {
    const e = Object.assign(new Error('SASL SCRAM SHA512 authentication failed'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    expect(kafkaRefusal(e)).toMatch(/refused the SASL credentials.*KAFKA_SASL_PASSWORD/);
  });

  it('finds an untrusted certificate under the retries that wrap it', () => {
    const e = Object.assign(new Error('Connection error: self-signed certificate in certificate chain'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      cause: Object.assign(new Error('self-signed'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
    });
    expect(kafkaRefusal(e)).toMatch(/not trusted \(SELF_SIGNED_CERT_IN_CHAIN\).*KAFKA_SSL_CA_FILE/);
  });

  it('leaves every other failure to the usual handling', () => {
    expect(kafkaRefusal(new Error('Connection timeout'))).toBeNull();
    expect(kafkaRefusal(undefined)).toBeNull();
  });
});
