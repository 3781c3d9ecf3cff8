import { NestFactory } from '@nestjs/core';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { appLogger, applyHttpConventions } from '@app/platform/nest';
import type { DispatcherConfig } from './config/dispatcher.config';
import { DispatcherModule } from './dispatcher.module';
import type { DispatcherHooks } from './dispatcher.runtime';

/**
 * Starts a dispatcher in this process and returns once it consumes and serves HTTP. Tests call it
 * with their own topics, group and short timings; `app.close()` stops it cleanly.
 */
export async function startDispatcher(
  config: DispatcherConfig,
  options: { logger?: LogLevel[] | false; hooks?: DispatcherHooks } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(DispatcherModule.register(config, options.hooks), {
    logger: appLogger('dispatcher', options.logger),
  });
  applyHttpConventions(app);
  await app.listen(config.httpPort, config.httpHost);
  return app;
}
