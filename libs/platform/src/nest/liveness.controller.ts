import { Controller, Get } from '@nestjs/common';

/**
 * Liveness: the process runs and its HTTP server answers. It deliberately ignores Kafka and
 * Postgres — an orchestrator that restarts a service because the broker is down only adds churn.
 * Readiness (dependencies reachable, consumers running) is each service's `/health`.
 */
@Controller()
export class LivenessController {
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
