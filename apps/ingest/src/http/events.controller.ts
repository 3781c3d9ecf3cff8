import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { IngestRuntime } from '../ingest.runtime';
import { IntakeResult } from './events.service';
import { IngestApiKeyGuard } from './ingest-api-key.guard';

@Controller('v1/events')
@UseGuards(IngestApiKeyGuard)
export class EventsController {
  constructor(private readonly runtime: IngestRuntime) {}

  /** One event or an array; 202 once all are committed on the log. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  post(@Body() body: unknown): Promise<IntakeResult> {
    return this.runtime.events.intake(body);
  }
}
