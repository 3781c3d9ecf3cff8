import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { ConfigError, env } from '../config/config.loader';

/**
 * The variables that say how to reach Kafka, read the same way by every service and command-line
 * tool: each spreads them into its own configuration schema (so they are validated at boot and
 * listed in its docs table) and turns them into a `KafkaConnection` with `kafkaConnectionFrom`.
 */
export const kafkaEnv = {
  /** Bootstrap servers, host:port[,host:port...]. */
  KAFKA_BROKERS: env.brokers(),
  /** TLS to the brokers; trusts the system's CAs unless KAFKA_SSL_CA_FILE is set. */
  KAFKA_SSL: env.bool(false),
  /** PEM file of the CA(s) that signed the brokers' certificates. */
  KAFKA_SSL_CA_FILE: z.string().max(4096).optional(),
  /** PEM client certificate and its key, for brokers that require mutual TLS. */
  KAFKA_SSL_CERT_FILE: z.string().max(4096).optional(),
  KAFKA_SSL_KEY_FILE: z.string().max(4096).optional(),
  /** SASL mechanism; unset = no SASL. */
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().max(256).optional(),
  /** The SASL password, or KAFKA_SASL_PASSWORD_FILE naming a file that holds it (never both). */
  KAFKA_SASL_PASSWORD: z.string().max(1024).optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().max(4096).optional(),
};

export type KafkaEnv = z.infer<z.ZodObject<typeof kafkaEnv>>;

/** TLS and SASL settings as kafkajs takes them; both absent = plaintext without authentication. */
export interface KafkaSecurity {
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
}

export interface KafkaConnection extends KafkaSecurity {
  brokers: string[];
}

/** Reads a file named by a variable; injected by the unit specs. */
export type ReadFile = (path: string) => string;

const readText: ReadFile = (path) => readFileSync(path, 'utf8');

/**
 * Checks the combination of the Kafka variables and reads the files they name, at start-up: every
 * problem is reported at once, naming the variable (a ConfigError, exit 78 through configOrExit).
 * The password is kept off enumeration, so no log line or JSON of a configuration can show it.
 */
export function kafkaConnectionFrom(v: KafkaEnv, read: ReadFile = readText): KafkaConnection {
  const problems: string[] = [];
  const file = (name: keyof KafkaEnv): string | undefined => {
    const path = v[name] as string | undefined;
    if (path === undefined) return undefined;
    try {
      return read(path);
    } catch (e) {
      problems.push(`${name}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };

  let ssl: ConnectionOptions | undefined;
  if (v.KAFKA_SSL) {
    ssl = {};
    const ca = file('KAFKA_SSL_CA_FILE');
    if (ca !== undefined) ssl.ca = [ca];
    if ((v.KAFKA_SSL_CERT_FILE === undefined) !== (v.KAFKA_SSL_KEY_FILE === undefined)) {
      problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: set both (mutual TLS) or neither');
    } else {
      const cert = file('KAFKA_SSL_CERT_FILE');
      const key = file('KAFKA_SSL_KEY_FILE');
      if (cert !== undefined && key !== undefined) Object.assign(ssl, { cert, key });
    }
  } else {
    for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const) {
      if (v[name] !== undefined) problems.push(`${name}: only used with KAFKA_SSL=true`);
    }
  }

  let sasl: SASLOptions | undefined;
  const mechanism = v.KAFKA_SASL_MECHANISM;
  if (mechanism === undefined) {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const) {
      if (v[name] !== undefined) problems.push(`${name}: only used with KAFKA_SASL_MECHANISM`);
    }
  } else {
    if (mechanism === 'plain' && !v.KAFKA_SSL) {
      problems.push('KAFKA_SASL_MECHANISM: plain sends the password in clear; it needs KAFKA_SSL=true');
    }
    if (v.KAFKA_SASL_USERNAME === undefined) problems.push(`KAFKA_SASL_USERNAME: required with ${mechanism}`);
    let password: string | undefined;
    if (v.KAFKA_SASL_PASSWORD !== undefined && v.KAFKA_SASL_PASSWORD_FILE !== undefined) {
      problems.push('KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE: set one, not both');
    } else if (v.KAFKA_SASL_PASSWORD_FILE !== undefined) {
      // A file written by `echo` ends with a newline that is not part of the password.
      password = file('KAFKA_SASL_PASSWORD_FILE')?.replace(/\r?\n$/, '');
      if (password === '') problems.push('KAFKA_SASL_PASSWORD_FILE: the file is empty');
      if (password !== undefined && password.length > 1024)
        problems.push('KAFKA_SASL_PASSWORD_FILE: longer than 1024 characters');
    } else if (v.KAFKA_SASL_PASSWORD !== undefined) {
      password = v.KAFKA_SASL_PASSWORD;
    } else {
      problems.push(`KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE): required with ${mechanism}`);
    }
    if (v.KAFKA_SASL_USERNAME !== undefined && password) {
      sasl = sealedCredentials(mechanism, v.KAFKA_SASL_USERNAME, password);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return { brokers: v.KAFKA_BROKERS, ...(ssl && { ssl }), ...(sasl && { sasl }) };
}

/** SASL options whose password kafkajs can read but no serialiser or inspector lists. */
function sealedCredentials(
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512',
  username: string,
  password: string,
): SASLOptions {
  const sasl = { mechanism, username } as SASLOptions & { password: string };
  Object.defineProperty(sasl, 'password', { value: password, enumerable: false });
  return sasl;
}

/** Exit status of a service or tool that Kafka refused (EX_NOPERM): retrying cannot help. */
export const EXIT_KAFKA_REFUSED = 77;

/**
 * What to tell the operator when `e` (or an error it wraps) says the brokers refused this client's
 * credentials or could not be trusted — failures no retry fixes — or null for any other error.
 */
export function kafkaRefusal(e: unknown): string | null {
  for (let cause = e, depth = 0; cause && depth < 5; depth += 1) {
    const err = cause as {
      name?: string;
      message?: string;
      code?: string;
      cause?: unknown;
      originalError?: unknown;
    };
    if (err.name === 'KafkaJSSASLAuthenticationError') {
      return (
        `Kafka refused the SASL credentials (${err.message}): check KAFKA_SASL_USERNAME, ` +
        `KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, and KAFKA_SASL_MECHANISM`
      );
    }
    if (err.code && TLS_TRUST_CODES.has(err.code)) {
      return `the Kafka broker's TLS certificate is not trusted (${err.code}): check KAFKA_SSL_CA_FILE`;
    }
    cause = err.cause ?? err.originalError;
  }
  return null;
}

const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
