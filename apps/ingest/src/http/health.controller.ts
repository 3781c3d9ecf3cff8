import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { Admin } from 'kafkajs';
import { InboundConsumer } from '../kafka/inbound.consumer';
import { IngestLifecycle } from '../ingest.lifecycle';

const PROBE_TIMEOUT_MS = 3_000;

export interface Health {
  status: 'ok' | 'unavailable';
  kafka: 'up' | 'down';
  consumer: 'running' | 'stopped';
}

@Controller('health')
export class HealthController {
  constructor(
    @Inject(IngestLifecycle) private readonly lifecycle: IngestLifecycle,
    private readonly consumer: InboundConsumer,
  ) {}

  /** 200 when the broker answers and the inbound consumer runs, else 503 with the same body. */
  @Get()
  async health(): Promise<Health> {
    const kafka = (await this.kafkaAnswers(this.lifecycle.admin)) ? 'up' : 'down';
    const consumer = this.consumer.running ? 'running' : 'stopped';
    const body: Health = {
      status: kafka === 'up' && consumer === 'running' ? 'ok' : 'unavailable',
      kafka,
      consumer,
    };
    if (body.status !== 'ok')
      throw new HttpException(
        { error: { code: 'unhealthy', message: 'not ready', ...body } },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    return body;
  }

  private async kafkaAnswers(admin: Admin | undefined): Promise<boolean> {
    if (!admin) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        admin.describeCluster().then((c) => c.brokers.length > 0),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), PROBE_TIMEOUT_MS))),
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
