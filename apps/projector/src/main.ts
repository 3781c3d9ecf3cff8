import { configOrExit } from '@app/platform';
import { projectorConfigFromEnv } from './config/projector.config';
import { startProjector } from './projector.app';

async function main() {
  const config = configOrExit('projector', () => projectorConfigFromEnv());
  await startProjector(config);
}

main().catch((e) => {
  process.stderr.write(`[projector] failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
