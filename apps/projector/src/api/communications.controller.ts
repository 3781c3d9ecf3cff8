import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminApiKeyGuard, AdminKey, ReadApiKeyGuard } from './api-key.guard';
import type {
  AttemptPageDto,
  CallbackPageDto,
  CommunicationDto,
  CommunicationPageDto,
  RecoveryDto,
} from './api.dto';
import { OperatorBody, RecoverBody } from './api.dto';
import {
  ATTEMPT_PAGE_EXAMPLE,
  COMMUNICATION_LIST_EXAMPLE,
  ENABLE_EXAMPLE,
  ERROR_EXAMPLES,
  RECOVER_EXAMPLE,
  RECOVERIES_EXAMPLE,
} from './api.examples';
import {
  communicationIdParam,
  cursorParam,
  limitParam,
  operatorBodyParam,
  positionCursorParam,
  recoverBodyParam,
  stateParam,
  statusParam,
} from './api.params';
import { ApiExample } from './api.openapi';
import { OperationsService } from './operations.service';
import { ReadService } from './read.service';

@ApiTags('communications')
@ApiBearerAuth()
@UseGuards(ReadApiKeyGuard)
@ApiExample(401, 'no or unknown API key', ERROR_EXAMPLES.unauthorized)
@Controller('v1/communications')
export class CommunicationsController {
  constructor(
    private readonly read: ReadService,
    private readonly operations: OperationsService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Communications, e.g. ?status=disabled: where an on-call person starts (keyset by id, cursor)',
  })
  @ApiQuery({ name: 'status', required: false, enum: ['active', 'disabled'], example: 'disabled' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50', example: 50 })
  @ApiExample(200, 'one page of communications', COMMUNICATION_LIST_EXAMPLE)
  @ApiExample(400, 'a bad parameter', ERROR_EXAMPLES.invalidParameter)
  list(
    @Query('status') status?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ): Promise<CommunicationPageDto> {
    return this.read.communications(statusParam(status), cursorParam(cursor), limitParam(limit));
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'Status (active/disabled, why, when, failures since), configured callbacks without credentials, counts by state',
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

  @Get(':id/attempts')
  @ApiOperation({
    summary:
      'Every attempt of the communication in log order, CommunicationCompleted callbacks included (they have no message)',
  })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50', example: 50 })
  @ApiExample(200, 'one page of attempts', ATTEMPT_PAGE_EXAMPLE)
  @ApiExample(404, 'unknown communication', ERROR_EXAMPLES.notFound)
  attempts(
    @Param('id') id: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ): Promise<AttemptPageDto> {
    return this.read.communicationAttempts(
      communicationIdParam(id),
      positionCursorParam(cursor),
      limitParam(limit),
    );
  }

  @Get(':id/recoveries')
  @ApiOperation({ summary: 'Recoveries of the communication, newest first, with their progress' })
  @ApiExample(200, 'the recoveries', RECOVERIES_EXAMPLE)
  recoveries(@Param('id') id: string): Promise<RecoveryDto[]> {
    return this.read.recoveries(communicationIdParam(id));
  }

  @Post(':id/enable')
  @HttpCode(202)
  @UseGuards(AdminApiKeyGuard)
  @ApiOperation({
    summary: 'Re-enable a disabled communication (admin key): appends CommunicationEnabled with who and why',
  })
  @ApiBody({ type: OperatorBody })
  @ApiExample(202, 'CommunicationEnabled is on the log', ENABLE_EXAMPLE)
  @ApiExample(403, 'a read key', ERROR_EXAMPLES.adminKeyRequired)
  @ApiExample(
    409,
    'not disabled, or the automatic disable is not on the log yet',
    ERROR_EXAMPLES.disablePending,
  )
  enable(
    @Param('id') id: string,
    @Body() body: unknown,
    @AdminKey() adminKey: string,
  ): Promise<{ eventId: string }> {
    return this.operations.enable(communicationIdParam(id), { ...operatorBodyParam(body), adminKey });
  }

  @Post(':id/recover')
  @HttpCode(202)
  @UseGuards(AdminApiKeyGuard)
  @ApiOperation({
    summary:
      'Resend, in order and at a bounded rate, every failed and/or cancelled callback created since a time (admin key)',
  })
  @ApiBody({ type: RecoverBody })
  @ApiExample(202, 'the recovery is on the log; `planned` callbacks will be resent', RECOVER_EXAMPLE)
  @ApiExample(403, 'a read key', ERROR_EXAMPLES.adminKeyRequired)
  @ApiExample(409, 'the communication is disabled: re-enable it first', ERROR_EXAMPLES.communicationDisabled)
  recover(
    @Param('id') id: string,
    @Body() body: unknown,
    @AdminKey() adminKey: string,
  ): Promise<{ recoveryId: string; eventId: string; planned: number }> {
    const { since, states, by, reason } = recoverBodyParam(body);
    return this.operations.recover(communicationIdParam(id), { since, states }, { by, reason, adminKey });
  }
}
