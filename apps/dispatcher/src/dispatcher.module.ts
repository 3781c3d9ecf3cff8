import { DynamicModule, Module } from '@nestjs/common';
import { LivenessController, METRICS_ACCESS, MetricsController } from '@app/platform/nest';
import type { DispatcherConfig } from './config/dispatcher.config';
import { DispatcherRuntime, type DispatcherHooks } from './dispatcher.runtime';
import { HealthController } from './http/health.controller';

/** The dispatcher app: the Kafka pipeline (started on bootstrap) plus /health and /metrics. */
@Module({})
export class DispatcherModule {
  static register(config: DispatcherConfig, hooks: DispatcherHooks = {}): DynamicModule {
    return {
      module: DispatcherModule,
      controllers: [HealthController, MetricsController, LivenessController],
      providers: [
        { provide: DispatcherRuntime, useFactory: () => new DispatcherRuntime(config, hooks) },
        {
          provide: METRICS_ACCESS,
          useValue: { requireKey: config.metricsRequireKey, apiKeys: config.apiKeys },
        },
      ],
    };
  }
}
