import { EXIT_KAFKA_REFUSED, kafkaRefusal } from '@app/platform';
import { configOrExit, processLogger } from '@app/platform/nest';
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
  // Refused credentials or an untrusted broker: no retry can help, so stop at once and say why.
  const refusal = kafkaRefusal(e);
  if (refusal) {
    logger.fatal({ message: `refusing to start: ${refusal}` });
    process.exit(EXIT_KAFKA_REFUSED);
  }
  logger.fatal({ message: `failed to start: ${e.message}`, stack: e.stack });
  process.exit(1);
});
