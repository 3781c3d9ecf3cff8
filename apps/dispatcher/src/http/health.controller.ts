import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { DispatcherRuntime, type DispatcherStatus } from '../dispatcher.runtime';

@Controller()
export class HealthController {
  constructor(private readonly runtime: DispatcherRuntime) {}

  /** 200 while the consumers run, with the partitions this instance owns; 503 otherwise. */
  @Get('health')
  health(): { status: 'ok' } & DispatcherStatus {
    const status = this.runtime.status();
    if (!status.running) {
      throw new HttpException({ status: 'starting-or-stopping', ...status }, HttpStatus.SERVICE_UNAVAILABLE);
    }
    return { status: 'ok', ...status };
  }
}
