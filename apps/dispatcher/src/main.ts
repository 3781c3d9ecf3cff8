import { configOrExit, processLogger } from '@app/platform';
import { loadDispatcherConfig } from './config/dispatcher.config';
import { startDispatcher } from './dispatcher.app';

const logger = processLogger('dispatcher');

async function main(): Promise<void> {
  const config = configOrExit('dispatcher', () => loadDispatcherConfig());
  const app = await startDispatcher(config);
  // SIGTERM: finish the running batches, commit, leave the group, then exit.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}

main().catch((e: Error) => {
  logger.fatal({ message: `failed to start: ${e.message}`, stack: e.stack });
  process.exit(1);
});
