import { configOrExit } from '@app/platform';
import { Logger } from '@nestjs/common';
import { loadIngestConfig } from './config/ingest.config';
import { startIngest } from './ingest.app';

async function main(): Promise<void> {
  const config = configOrExit('ingest', () => loadIngestConfig());
  const ingest = await startIngest(config);
  const logger = new Logger('ingest');
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
  new Logger('ingest').error(`start-up failed: ${e.message}`);
  process.exit(1);
});
