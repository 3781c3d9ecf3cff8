import type { StartedServices } from './global-setup';

/** Stops, in reverse order, exactly what the global setup started; nothing else. */
export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as StartedServices).__testServices ?? [];
  for (const service of started.reverse()) {
    await service.stop().catch((e: Error) => {
      process.stdout.write(`[test teardown] could not stop ${service.description}: ${e.message}\n`);
    });
  }
}
