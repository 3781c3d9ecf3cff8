import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { uniqueName } from './environment';
import { freePorts } from './free-port';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/kafka.sh');

/**
 * A second, private Kafka broker started with the project's own script (its own data directory and
 * ports), for tests that stop and restart the broker without disturbing the shared one.
 */
export class PrivateBroker {
  private env: NodeJS.ProcessEnv = {};
  port = 0;
  /** The SASL_SSL listener's port (secure mode only). */
  securePort = 0;

  /**
   * `home`: its KAFKA_HOME (data, logs, pid file). `secure`: started with `kafka.sh secure`, a
   * SASL_SSL listener beside the plaintext one, a throw-away CA and one SCRAM user per service.
   */
  constructor(
    readonly home = path.join(ROOT, '.local', uniqueName('kafka-private')),
    private readonly secure = false,
  ) {}

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** The SASL_SSL listener, the only address a test of the secure mode gives its clients. */
  get secureBrokers(): string[] {
    return [`127.0.0.1:${this.securePort}`];
  }

  /** The CA certificate clients trust (KAFKA_SSL_CA_FILE). */
  get caFile(): string {
    return path.join(this.home, 'secure', 'ca.pem');
  }

  /** The file holding a SCRAM user's password (KAFKA_SASL_PASSWORD_FILE). */
  passwordFile(user: 'ingest' | 'dispatcher' | 'projector' | 'tools'): string {
    return path.join(this.home, 'secure', `${user}.password`);
  }

  /** The broker's own log (authentication failures are logged there). */
  get serverLog(): string {
    return path.join(this.home, 'logs', 'server.log');
  }

  /** The broker's log directory (meta.properties, one directory per partition). */
  get dataDir(): string {
    return path.join(this.home, 'data');
  }

  async start(): Promise<void> {
    if (!this.port) {
      // Distinct ports taken at once (see freePorts): the broker refuses two listeners on one port.
      const [port, controllerPort, securePort] = await freePorts(3);
      this.port = port;
      this.env = {
        ...process.env,
        KAFKA_HOME: this.home,
        KAFKA_PORT: String(port),
        KAFKA_CONTROLLER_PORT: String(controllerPort),
      };
      if (this.secure) {
        this.securePort = securePort;
        this.env.KAFKA_SECURE_PORT = String(securePort);
      }
    }
    await run('bash', [SCRIPT, this.secure ? 'secure' : 'start'], { env: this.env, timeout: 180_000 });
  }

  /** Stops the broker of this home, if it runs (by its pid file only). */
  async stop(): Promise<void> {
    await run('bash', [SCRIPT, 'stop'], {
      env: { ...process.env, ...this.env, KAFKA_HOME: this.home },
      timeout: 60_000,
    });
  }

  /** Stops the broker and deletes its data. */
  async destroy(): Promise<void> {
    if (!this.port) return;
    await this.stop().catch(() => undefined);
    await rm(this.home, { recursive: true, force: true });
  }
}
