import { Controller, Get } from '@nestjs/common';
import { type HealthReport } from '@app/platform';
import { readinessReport } from '@app/platform/nest';
import { InboundConsumer } from '../kafka/inbound.consumer';

@Controller('health')
export class HealthController {
  constructor(private readonly consumer: InboundConsumer) {}

  /** 200 while the inbound consumer works (its broker answers it), else 503 with the same body. */
  @Get()
  health(): HealthReport {
    return readinessReport(
      'ingest',
      { 'inbound-consumer': this.consumer.readiness() },
      { partitions: this.consumer.partitions() },
    );
  }
}
