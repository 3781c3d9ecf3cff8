import { ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { ReceiverBehaviour, ReceiverStats } from './receiver.process';

/** The bench driver's handle on a receiver process (see receiver.process.ts). */
export class ReceiverHandle {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(behaviour: Partial<ReceiverBehaviour> = {}): Promise<ReceiverHandle> {
    const full: ReceiverBehaviour = {
      delayMs: 0,
      failFirst: 0,
      latency: false,
      arrivals: false,
      ...behaviour,
    };
    const child = fork(path.join(__dirname, 'receiver.process.js'), [JSON.stringify(full)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [message] = (await once(child, 'message')) as [{ op: string; port: number }];
    return new ReceiverHandle(child, message.port);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Counts only, unless `full` (then also the recorded latencies and arrivals). */
  async stats(full = false): Promise<ReceiverStats> {
    const reply = new Promise<ReceiverStats>((resolve) => {
      const onMessage = (m: ReceiverStats) => {
        if (m.op !== 'stats') return;
        this.child.off('message', onMessage);
        resolve(m);
      };
      this.child.on('message', onMessage);
    });
    this.child.send({ op: 'stats', full });
    return reply;
  }

  reset(): void {
    this.child.send({ op: 'reset' });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ op: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
