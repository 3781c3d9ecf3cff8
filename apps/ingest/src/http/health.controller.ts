import { Controller, Get } from '@nestjs/common';
import { type HealthReport } from '@app/platform';
import { readinessReport } from '@app/platform/nest';
import { IngestRuntime } from '../ingest.runtime';

@Controller('health')
export class HealthController {
  constructor(private readonly runtime: IngestRuntime) {}

  /** 200 while the inbound consumer works (its broker answers it), else 503 with the same body. */
  @Get()
  health(): HealthReport {
    const { consumer } = this.runtime;
    return readinessReport(
      'ingest',
      { 'inbound-consumer': consumer.readiness() },
      { partitions: consumer.partitions() },
    );
  }
}
