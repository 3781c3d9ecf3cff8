import { Controller, Get } from '@nestjs/common';
import { type HealthReport } from '@app/platform';
import { readinessReport } from '@app/platform/nest';
import { DispatcherRuntime } from '../dispatcher.runtime';

@Controller()
export class HealthController {
  constructor(private readonly runtime: DispatcherRuntime) {}

  /** 200 while both consumers work, with the partitions this instance owns; 503 otherwise. */
  @Get('health')
  health(): HealthReport {
    const { checks, instanceId, log, assigned } = this.runtime.status();
    return readinessReport('dispatcher', checks, { instanceId, log, partitions: assigned });
  }
}
