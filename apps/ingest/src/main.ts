import { EXIT_KAFKA_REFUSED, kafkaRefusal } from '@app/platform';
import { configOrExit, processLogger } from '@app/platform/nest';
import { loadIngestConfig } from './config/ingest.config';
import { startIngest } from './ingest.app';

const logger = processLogger('ingest');

async function main(): Promise<void> {
  const config = configOrExit('ingest', () => loadIngestConfig());
  const ingest = await startIngest(config);
  logger.log(`listening on ${ingest.url}`);
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: leaving the consumer group and flushing producers`);
    ingest.close().then(
      () => process.exit(0),
      (e: Error) => {
        logger.error(`shutdown failed: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
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
