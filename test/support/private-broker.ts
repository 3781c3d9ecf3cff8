import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { uniqueName } from './environment';
import { freePort } from './free-port';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/kafka.sh');

/**
 * A second, private Kafka broker started with the project's own script (its own data directory and
 * ports), for tests that stop and restart the broker without disturbing the shared one.
 */
export class PrivateBroker {
  private readonly home = path.join(ROOT, '.local', uniqueName('kafka-private'));
  private env: NodeJS.ProcessEnv = {};
  port = 0;

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** The broker's log directory (meta.properties, one directory per partition). */
  get dataDir(): string {
    return path.join(this.home, 'data');
  }

  async start(): Promise<void> {
    if (!this.port) {
      this.port = await freePort();
      this.env = {
        ...process.env,
        KAFKA_HOME: this.home,
        KAFKA_PORT: String(this.port),
        KAFKA_CONTROLLER_PORT: String(await freePort()),
      };
    }
    await run('bash', [SCRIPT, 'start'], { env: this.env, timeout: 180_000 });
  }

  async stop(): Promise<void> {
    await run('bash', [SCRIPT, 'stop'], { env: this.env, timeout: 60_000 });
  }

  /** Stops the broker and deletes its data. */
  async destroy(): Promise<void> {
    if (!this.port) return;
    await this.stop().catch(() => undefined);
    await rm(this.home, { recursive: true, force: true });
  }
}
