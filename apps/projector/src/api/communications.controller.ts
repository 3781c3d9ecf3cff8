import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ReadApiKeyGuard } from './api-key.guard';
import type { CallbackPageDto, CommunicationDto } from './api.dto';
import { EnableCommunicationBody } from './api.dto';
import { communicationIdParam, cursorParam, enableBody, limitParam, stateParam } from './api.params';
import { ReadService } from './read.service';

@ApiTags('communications')
@ApiBearerAuth()
@UseGuards(ReadApiKeyGuard)
@Controller('v1/communications')
export class CommunicationsController {
  constructor(private readonly read: ReadService) {}

  @Get(':id')
  @ApiOperation({
    summary: 'Status (active/disabled, why, when), configured callbacks without credentials, counts by state',
  })
  get(@Param('id') id: string): Promise<CommunicationDto> {
    return this.read.communication(communicationIdParam(id));
  }

  @Get(':id/callbacks')
  @ApiOperation({ summary: 'Callbacks of a communication, ordered by callback id, paginated with a cursor' })
  @ApiQuery({ name: 'state', required: false, enum: ['pending', 'succeeded', 'failed', 'cancelled'] })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50' })
  callbacks(
    @Param('id') id: string,
    @Query('state') state?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ): Promise<CallbackPageDto> {
    return this.read.communicationCallbacks(
      communicationIdParam(id),
      stateParam(state),
      cursorParam(cursor),
      limitParam(limit),
    );
  }

  @Post(':id/enable')
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-enable a disabled communication: appends CommunicationEnabled to the log' })
  @ApiBody({ type: EnableCommunicationBody })
  enable(@Param('id') id: string, @Body() body: unknown): Promise<{ eventId: string }> {
    const { by, reason } = enableBody(body);
    return this.read.enable(communicationIdParam(id), by, reason);
  }
}
