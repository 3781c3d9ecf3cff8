/** A counting semaphore with a FIFO queue. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }

  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) next();
    else this.active -= 1;
  }
}

/**
 * Bounds requests in flight overall and per destination host. The host slot is taken FIRST, so
 * requests queued behind a slow host never sit on global slots that fast hosts could use.
 */
export class ConcurrencyGate {
  private readonly global: Semaphore;
  private readonly hosts = new Map<string, Semaphore>();

  constructor(
    globalLimit: number,
    private readonly perHostLimit: number,
  ) {
    this.global = new Semaphore(globalLimit);
  }

  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    let hostGate = this.hosts.get(host);
    if (!hostGate) {
      hostGate = new Semaphore(this.perHostLimit);
      this.hosts.set(host, hostGate);
    }
    await hostGate.acquire();
    try {
      await this.global.acquire();
      try {
        return await task();
      } finally {
        this.global.release();
      }
    } finally {
      hostGate.release();
      // Forget idle hosts so a stream of distinct hosts cannot grow the map without bound.
      if (hostGate.idle) this.hosts.delete(host);
    }
  }
}
