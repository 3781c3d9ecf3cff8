import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { appLogger, applyHttpConventions } from '@app/platform/nest';
import type { ProjectorConfig } from './config/projector.config';
import { migrate } from './database/data-source.factory';
import { ProjectorModule } from './projector.module';
import { ProjectorRuntime } from './projector.runtime';

export interface RunningProjector {
  app: INestApplication;
  runtime: ProjectorRuntime;
  /** Base URL of the read API, e.g. http://127.0.0.1:3003 */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the projector in this process: migrations, projection consumer, outbox relay, mail sender
 * and the read API. Tests call it with unique topic/schema names and short timings.
 */
export async function startProjector(
  config: ProjectorConfig,
  options: { host?: string; logger?: LogLevel[] | false } = {},
): Promise<RunningProjector> {
  await migrate({ databaseUrl: config.databaseUrl, schema: config.schema });
  const app = await NestFactory.create(ProjectorModule.register(config), {
    logger: appLogger('projector', options.logger),
    abortOnError: false,
  });
  applyHttpConventions(app);
  app.enableShutdownHooks();
  // Off in a locked-down deployment (DOCS_ENABLED=false): the routes then do not exist (404).
  if (config.docsEnabled) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Dispatch Callbacks — projector read API')
        .setDescription('Callback history, communication status and batches, projected from the event log.')
        .setVersion('1')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('docs', app, document);
  }
  try {
    await app.listen(config.httpPort, options.host ?? config.httpHost);
  } catch (e) {
    // E.g. a log mismatch refused at start-up: release the database and Kafka connections.
    await app.close().catch(() => undefined);
    throw e;
  }
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    runtime: app.get(ProjectorRuntime),
    url: `http://127.0.0.1:${address.port}`,
    close: () => app.close(),
  };
}
