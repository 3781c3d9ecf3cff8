import type { Logger } from '@nestjs/common';

/**
 * Runs `pass` now and then every `pollMs` after the previous pass ended (never two at once). A
 * failed pass is logged and the next one still comes: the outbox workers must outlive an SMTP or
 * Kafka outage.
 */
export class PollingLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly what: string,
    private readonly pollMs: number,
    private readonly logger: Logger,
    private readonly pass: () => Promise<void>,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.pass()
        .catch((e) => this.logger.error(`${this.what} pass failed: ${(e as Error).message}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.pollMs);
        });
    };
    tick();
  }

  /** Stops polling and waits for a pass in progress to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

/** A background worker that runs `runOnce` in a `PollingLoop` (the outbox relay, recoveries). */
export abstract class PolledWorker {
  protected readonly loop: PollingLoop;

  protected constructor(name: string, pollMs: number, logger: Logger) {
    this.loop = new PollingLoop(name, pollMs, logger, () => this.runOnce());
  }

  abstract runOnce(): Promise<void>;

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
