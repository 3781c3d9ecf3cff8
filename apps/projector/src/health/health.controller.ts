import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ProjectorRuntime } from '../projector.runtime';
import { KAFKA } from '../projector.tokens';

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly ds: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly runtime: ProjectorRuntime,
  ) {}

  @Get('health')
  @ApiOperation({
    summary:
      'Kafka and Postgres reachability, whether the projection caught up, and whether it belongs to the log ' +
      '(503 with `reason` while it refuses or rebuilds after a log mismatch)',
  })
  async health(@Res() res: Response): Promise<void> {
    const postgres = await within(this.ds.query('SELECT 1'), 3_000).then(
      () => 'up',
      () => 'down',
    );
    const admin = this.kafka.admin();
    const kafka = await within(
      admin.connect().then(() => admin.describeCluster()),
      3_000,
    ).then(
      () => 'up',
      () => 'down',
    );
    await admin.disconnect().catch(() => undefined);
    const projection = this.runtime.status();
    const ok = postgres === 'up' && kafka === 'up' && projection.state === 'projecting';
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: ok ? 'ok' : 'degraded',
      postgres,
      kafka,
      caughtUp: this.runtime.caughtUp(),
      projection: projection.state,
      ...(projection.state === 'projecting' ? {} : { reason: projection.reason }),
    });
  }
}
