import type { HealthCheck } from '../observability/health';

type State = 'starting' | 'running' | 'crashed' | 'stopped';

/**
 * Whether a consumer is ready, from what it already does: it has joined its group and the broker
 * answered one of its requests (fetch, heartbeat, commit) lately. A readiness probe then costs no
 * request and no connection, and it reports what matters, the consumer at work, not only that
 * some broker answers. Times are passed in.
 */
export class ConsumerReadiness {
  private state: State = 'starting';
  private lastAnswerAt = 0;
  private crash?: string;

  /** `staleAfterMs`: silence after which the consumer counts as cut off (a session timeout). */
  constructor(private readonly staleAfterMs: number) {}

  joined(at: number): void {
    this.state = 'running';
    this.crash = undefined;
    this.lastAnswerAt = at;
  }

  answered(at: number): void {
    this.lastAnswerAt = Math.max(this.lastAnswerAt, at);
  }

  crashed(error: string): void {
    this.state = 'crashed';
    this.crash = error;
  }

  stopped(): void {
    this.state = 'stopped';
  }

  check(now: number): HealthCheck {
    if (this.state === 'crashed') return { status: 'down', reason: `crashed (${this.crash})` };
    if (this.state !== 'running') return { status: 'down', reason: this.state };
    const silentMs = now - this.lastAnswerAt;
    if (silentMs > this.staleAfterMs) {
      return { status: 'down', reason: `no answer from Kafka for ${silentMs} ms` };
    }
    return { status: 'up', lastAnswerMs: silentMs };
  }
}
