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
 * A three-node Kafka cluster of one test file, started with the project's own script
 * (`kafka.sh cluster`: combined broker+controller nodes on free ports, replication factor 3,
 * min.insync.replicas=2), so a test can crash and restart nodes without touching the run's broker.
 */
export class PrivateCluster {
  private env: NodeJS.ProcessEnv = {};
  readonly ports: number[] = [];

  constructor(readonly home = path.join(ROOT, '.local', uniqueName('kafka-cluster'))) {}

  get brokers(): string[] {
    return this.ports.map((p) => `127.0.0.1:${p}`);
  }

  private async script(...args: string[]): Promise<string> {
    const { stdout } = await run('bash', [SCRIPT, 'cluster', ...args], { env: this.env, timeout: 240_000 });
    return stdout;
  }

  async start(): Promise<void> {
    if (this.ports.length === 0) {
      // Six distinct ports at once: taken one by one, the system may hand a released one out again
      // (a node then refuses to start with its broker and controller on the same port).
      const ports = await freePorts(6);
      this.ports.push(...ports.slice(0, 3));
      const controllers = ports.slice(3);
      this.env = {
        ...process.env,
        KAFKA_CLUSTER_HOME: this.home,
        KAFKA_CLUSTER_PORTS: this.ports.join(','),
        KAFKA_CLUSTER_CONTROLLER_PORTS: controllers.join(','),
      };
    }
    await this.script('start');
  }

  /** SIGKILL node `n` (1..3): a crash, no orderly shutdown. */
  async kill(n: number): Promise<void> {
    await this.script('kill', String(n));
  }

  /** Starts node `n` again and waits until it serves. */
  async startNode(n: number): Promise<void> {
    await this.script('start-node', String(n));
  }

  /** Stops every node (its own pid files only) and deletes the data. */
  async destroy(): Promise<void> {
    if (this.ports.length === 0) return;
    await this.script('stop').catch(() => undefined);
    await rm(this.home, { recursive: true, force: true });
  }
}
