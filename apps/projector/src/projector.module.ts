import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { createKafka, idempotentProducer } from '@app/platform';
import { LivenessController, METRICS_ACCESS, MetricsController } from '@app/platform/nest';
import type { Kafka, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { BatchesController } from './api/batches.controller';
import { CallbacksController } from './api/callbacks.controller';
import { OperationsService } from './api/operations.service';
import { CommunicationsController } from './api/communications.controller';
import { MessagesController } from './api/messages.controller';
import { ReadService } from './api/read.service';
import type { ProjectorConfig } from './config/projector.config';
import { ConsoleController } from './console/console.controller';
import { ConsolePages } from './console/console.pages';
import { ConsoleQueries } from './console/console.queries';
import { createDataSource } from './database/data-source.factory';
import { HealthController } from './health/health.controller';
import { ProjectorRuntime } from './projector.runtime';
import { KAFKA, LOG_PRODUCER, PROJECTOR_CONFIG } from './projector.tokens';

/** Starts and stops the background workers with the application. */
@Injectable()
class RuntimeLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    readonly runtime: ProjectorRuntime,
    private readonly dataSource: DataSource,
    @Inject(LOG_PRODUCER) private readonly producer: Producer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
    await this.producer.disconnect();
    await this.dataSource.destroy();
  }
}

@Module({})
export class ProjectorModule {
  static register(config: ProjectorConfig): DynamicModule {
    return {
      module: ProjectorModule,
      controllers: [
        CommunicationsController,
        CallbacksController,
        MessagesController,
        BatchesController,
        HealthController,
        MetricsController,
        LivenessController,
        ConsoleController,
      ],
      providers: [
        { provide: PROJECTOR_CONFIG, useValue: config },
        {
          provide: METRICS_ACCESS,
          useValue: { requireKey: config.metricsRequireKey, apiKeys: config.apiKeys },
        },
        {
          provide: DataSource,
          useFactory: () =>
            createDataSource({ databaseUrl: config.databaseUrl, schema: config.schema }).initialize(),
        },
        {
          provide: KAFKA,
          useFactory: () =>
            createKafka({
              brokers: config.kafkaBrokers,
              ...config.kafkaSecurity,
              clientId: `projector-${config.schema}`,
            }),
        },
        {
          provide: LOG_PRODUCER,
          inject: [KAFKA],
          useFactory: async (kafka: Kafka) => {
            // Idempotent: a retried send after a lost acknowledgement is not written twice.
            const producer = idempotentProducer(kafka);
            await producer.connect();
            return producer;
          },
        },
        {
          provide: ProjectorRuntime,
          inject: [DataSource, KAFKA, LOG_PRODUCER],
          useFactory: (ds: DataSource, kafka: Kafka, producer: Producer) =>
            new ProjectorRuntime(config, ds, kafka, producer),
        },
        RuntimeLifecycle,
        ReadService,
        OperationsService,
        ConsoleQueries,
        ConsolePages,
      ],
      exports: [ProjectorRuntime],
    };
  }
}
