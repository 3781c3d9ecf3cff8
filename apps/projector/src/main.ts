import { EXIT_KAFKA_REFUSED, kafkaRefusal } from '@app/platform';
import { configOrExit, processLogger } from '@app/platform/nest';
import { loadProjectorConfig } from './config/projector.config';
import { LogMismatchError } from './projection/log.check';
import { startProjector } from './projector.app';

const logger = processLogger('projector');

async function main(): Promise<void> {
  const config = configOrExit('projector', () => loadProjectorConfig());
  await startProjector(config);
}

/** EX_DATAERR: the projection's data does not belong to the log (decision 0642). */
const EXIT_LOG_MISMATCH = 65;

main().catch((e: Error) => {
  // Refused credentials or an untrusted broker: no retry can help, so stop at once and say why.
  const refusal = kafkaRefusal(e);
  if (refusal) {
    logger.fatal({ message: `refusing to start: ${refusal}` });
    process.exit(EXIT_KAFKA_REFUSED);
  }
  if (e instanceof LogMismatchError) {
    logger.fatal({ message: `refusing to start: ${e.report}` });
    process.exit(EXIT_LOG_MISMATCH);
  }
  logger.fatal({ message: `failed to start: ${e.message}`, stack: e.stack });
  process.exit(1);
});
