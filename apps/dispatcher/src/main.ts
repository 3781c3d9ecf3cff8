import { configOrExit } from '@app/platform';
import { loadDispatcherConfig } from './config/dispatcher.config';
import { startDispatcher } from './dispatcher.app';

async function main(): Promise<void> {
  const config = configOrExit('dispatcher', () => loadDispatcherConfig());
  const app = await startDispatcher(config);
  // SIGTERM: finish the running batches, commit, leave the group, then exit.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}

main().catch((e) => {
  process.stderr.write(`[dispatcher] failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
