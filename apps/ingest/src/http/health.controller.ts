import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { kafkaAnswers } from '@app/platform';
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
    const kafka = (await kafkaAnswers(this.lifecycle.admin, PROBE_TIMEOUT_MS)) ? 'up' : 'down';
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
}
