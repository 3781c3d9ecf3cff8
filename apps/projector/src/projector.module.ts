import { DynamicModule, Module } from '@nestjs/common';
import { LivenessController, METRICS_ACCESS, MetricsController } from '@app/platform/nest';
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
import { HealthController } from './health/health.controller';
import { ProjectorRuntime } from './projector.runtime';
import { PROJECTOR_CONFIG } from './projector.tokens';

/** The projector app: the runtime (background workers, started on bootstrap), the read API and the console. */
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
        { provide: ProjectorRuntime, useFactory: () => ProjectorRuntime.create(config) },
        // The read services query the runtime's data source.
        {
          provide: DataSource,
          inject: [ProjectorRuntime],
          useFactory: (r: ProjectorRuntime) => r.dataSource,
        },
        ReadService,
        OperationsService,
        ConsoleQueries,
        ConsolePages,
      ],
      exports: [ProjectorRuntime],
    };
  }
}
