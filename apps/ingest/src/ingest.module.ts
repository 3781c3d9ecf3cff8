import { LivenessController, METRICS_ACCESS, MetricsController } from '@app/platform/nest';
import { DynamicModule, Module } from '@nestjs/common';
import { IngestConfig } from './config/ingest.config';
import { EventsController } from './http/events.controller';
import { HealthController } from './http/health.controller';
import { IngestApiKeyGuard } from './http/ingest-api-key.guard';
import { IngestRuntime } from './ingest.runtime';
import { INGEST_CONFIG } from './ingest.tokens';

/** The ingest app: the runtime (both intake paths, started on bootstrap) plus its HTTP routes. */
@Module({})
export class IngestModule {
  static register(config: IngestConfig): DynamicModule {
    return {
      module: IngestModule,
      controllers: [EventsController, HealthController, MetricsController, LivenessController],
      providers: [
        { provide: INGEST_CONFIG, useValue: config },
        {
          provide: METRICS_ACCESS,
          useValue: { requireKey: config.metricsRequireKey, apiKeys: config.apiKeys },
        },
        { provide: IngestRuntime, useFactory: () => new IngestRuntime(config) },
        IngestApiKeyGuard,
      ],
    };
  }
}
