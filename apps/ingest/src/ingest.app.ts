import { appLogger, applyHttpConventions } from '@app/platform/nest';
import { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AddressInfo } from 'node:net';
import { IngestConfig } from './config/ingest.config';
import { jsonBody } from './http/json-body.middleware';
import { IngestModule } from './ingest.module';

export interface RunningIngest {
  app: INestApplication;
  /** e.g. http://127.0.0.1:3001 */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts ingest in this process: topics, de-dup rebuild, consumer, then the HTTP server. Used by
 * main.ts and by tests (which pass unique topic names and port 0).
 */
export async function startIngest(
  config: IngestConfig,
  options: { logger?: LogLevel[] | false } = {},
): Promise<RunningIngest> {
  const app = await NestFactory.create<NestExpressApplication>(IngestModule.register(config), {
    bodyParser: false,
    logger: appLogger('ingest', options.logger),
  });
  applyHttpConventions(app);
  app.use('/v1/events', jsonBody(config.httpBodyLimitBytes));
  await app.listen(config.httpPort, config.httpHost);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = config.httpHost === '0.0.0.0' ? '127.0.0.1' : config.httpHost;
  return { app, url: `http://${host}:${port}`, close: () => app.close() };
}
