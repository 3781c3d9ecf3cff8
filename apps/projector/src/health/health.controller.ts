import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type HealthCheck, type HealthReport } from '@app/platform';
import { readinessReport } from '@app/platform/nest';
import { DataSource } from 'typeorm';
import { ProjectorRuntime } from '../projector.runtime';

const PROBE_TIMEOUT_MS = 3_000;

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly ds: DataSource,
    private readonly runtime: ProjectorRuntime,
  ) {}

  @Get('health')
  @ApiOperation({
    summary:
      'Readiness: Postgres answers, the projection consumer works and the projection belongs to the log ' +
      '(checks.projection is down with `state` and `reason` while it refuses or rebuilds after a log ' +
      'mismatch); whether it caught up',
  })
  async health(): Promise<HealthReport> {
    const projection = this.runtime.status();
    const checks = {
      postgres: await this.postgres(),
      'projection-consumer': this.runtime.consumer?.readiness() ?? { status: 'down', reason: 'not started' },
      projection:
        projection.state === 'projecting'
          ? { status: 'up', state: projection.state }
          : { status: 'down', state: projection.state, reason: projection.reason },
    } satisfies Record<string, HealthCheck>;
    return readinessReport('projector', checks, {
      caughtUp: this.runtime.caughtUp(),
      partitions: this.runtime.consumer?.partitions() ?? {},
    });
  }

  /** One query on a pooled connection, bounded in time. */
  private async postgres(): Promise<HealthCheck> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ds.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)),
            PROBE_TIMEOUT_MS,
          );
        }),
      ]);
      return { status: 'up' };
    } catch (e) {
      return { status: 'down', reason: (e as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
