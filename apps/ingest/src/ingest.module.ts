import { createKafka } from '@app/platform';
import { LivenessController, METRICS_ACCESS, MetricsController } from '@app/platform/nest';
import { DynamicModule, Module } from '@nestjs/common';
import { IngestConfig } from './config/ingest.config';
import { AppendGate } from './domain/append.gate';
import { DedupWindow } from './domain/dedup.window';
import { EventAdmission } from './event-admission.service';

import { EventsController } from './http/events.controller';
import { EventsService } from './http/events.service';
import { HealthController } from './http/health.controller';
import { IngestApiKeyGuard } from './http/ingest-api-key.guard';
import { IngestLifecycle } from './ingest.lifecycle';
import { INGEST_CONFIG, KAFKA } from './ingest.tokens';
import { DedupWindowKeeper } from './kafka/dedup.keeper';
import { InboundConsumer } from './kafka/inbound.consumer';
import { LogAppender } from './kafka/log.appender';
import { IngestMetrics } from './observability/ingest.metrics';

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
        {
          provide: KAFKA,
          useFactory: () =>
            createKafka({
              brokers: config.kafkaBrokers,
              ...config.kafkaSecurity,
              clientId: config.kafkaClientId,
            }),
        },
        {
          provide: AppendGate,
          useFactory: () =>
            new AppendGate(new DedupWindow(config.dedupWindowSeconds * 1000, config.dedupMaxIds)),
        },
        IngestMetrics,
        EventAdmission,
        InboundConsumer,
        LogAppender,
        EventsService,
        IngestApiKeyGuard,
        DedupWindowKeeper,
        IngestLifecycle,
      ],
    };
  }
}
