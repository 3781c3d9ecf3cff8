import { configOrExit } from '@app/platform';
import { projectorConfigFromEnv } from './config/projector.config';
import { LogMismatchError } from './projection/log-check';
import { startProjector } from './projector.app';

async function main() {
  const config = configOrExit('projector', () => projectorConfigFromEnv());
  await startProjector(config);
}

/** EX_DATAERR: the projection's data does not belong to the log (decision 0642). */
const EXIT_LOG_MISMATCH = 65;

main().catch((e) => {
  if (e instanceof LogMismatchError) {
    process.stderr.write(`[projector] refusing to start: ${e.report}\n`);
    process.exit(EXIT_LOG_MISMATCH);
  }
  process.stderr.write(`[projector] failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
