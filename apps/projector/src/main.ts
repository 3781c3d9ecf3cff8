import { configOrExit, processLogger } from '@app/platform';
import { projectorConfigFromEnv } from './config/projector.config';
import { startProjector } from './projector.app';

const logger = processLogger('projector');

async function main(): Promise<void> {
  const config = configOrExit('projector', () => projectorConfigFromEnv());
  await startProjector(config);
}

main().catch((e: Error) => {
  logger.fatal({ message: `failed to start: ${e.message}`, stack: e.stack });
  process.exit(1);
});
