import { BulkProducer } from './bulk.producer';
import { machine } from './bench.env';
import { PostgresProbe } from './postgres.probe';
import { heading } from './report';
import { stopAll, type RunningService } from './services.launcher';
import type { ReceiverHandle } from './receiver.handle';

/** What a bench started and must stop or delete, whatever happens. */
export class BenchRun {
  readonly producer = new BulkProducer();
  readonly postgres = new PostgresProbe();
  readonly services: RunningService[] = [];
  readonly receivers: ReceiverHandle[] = [];
  readonly topics: string[] = [];
  readonly schemas: string[] = [];
  readonly children: { kill(): Promise<void> }[] = [];
  /** Stopped last, after the topics and schemas are gone (a broker or database of the run's own). */
  readonly infrastructure: { stop(): Promise<void> }[] = [];

  track<T extends RunningService>(s: T): T {
    this.services.push(s);
    return s;
  }

  async cleanup(): Promise<void> {
    await stopAll(this.services.splice(0));
    await Promise.allSettled(this.children.splice(0).map((c) => c.kill()));
    await Promise.allSettled(this.receivers.splice(0).map((r) => r.stop()));
    if (process.env.BENCH_KEEP !== '1') {
      await this.producer
        .deleteTopics(this.topics)
        .catch((e) => process.stderr.write(`could not delete topics: ${String(e)}\n`));
      await this.postgres
        .dropSchemas(this.schemas)
        .catch((e) => process.stderr.write(`could not drop schemas: ${String(e)}\n`));
    }
    await this.producer.close().catch(() => undefined);
    await this.postgres.close().catch(() => undefined);
    for (const s of this.infrastructure.splice(0).reverse()) await s.stop().catch(() => undefined);
  }
}

/**
 * Runs one benchmark: prints the machine, connects the shared clients, and cleans up (services,
 * receivers, topics, schemas, then the `infrastructure` it was given) on success, failure or
 * Ctrl-C. Exit code 1 on failure.
 */
export function benchMain(
  title: string,
  body: (run: BenchRun) => Promise<void>,
  infrastructure: { stop(): Promise<void> }[] = [],
): void {
  const run = new BenchRun();
  run.infrastructure.push(...infrastructure);
  let cleaning: Promise<void> | undefined;
  const cleanup = () => (cleaning ??= run.cleanup());
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  (async () => {
    heading(title, [`${new Date().toISOString()} — ${machine()}`]);
    await run.producer.connect();
    await run.postgres.connect();
    await body(run);
  })()
    .then(async () => {
      await cleanup();
      process.exit(0);
    })
    .catch(async (e: unknown) => {
      process.stderr.write(`\n${title} FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      await cleanup();
      process.exit(1);
    });
}
