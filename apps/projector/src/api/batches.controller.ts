import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ReadApiKeyGuard } from './api-key.guard';
import type { BatchDto } from './api.dto';
import { BATCH_EXAMPLE, ERROR_EXAMPLES } from './api.examples';
import { ApiExample } from './api.openapi';
import { batchIdParam, cursorParam, includeMembersParam, membersLimitParam } from './api.params';
import { ReadService } from './read.service';

@ApiTags('batches')
@ApiBearerAuth()
@UseGuards(ReadApiKeyGuard)
@Controller('v1/batches')
export class BatchesController {
  constructor(private readonly read: ReadService) {}

  @Get(':batchId')
  @ApiOperation({
    summary:
      'The batch a CommunicationCompleted POST refers to; with includemembers=true one page of its members (≤ 1,000, cursor)',
  })
  @ApiQuery({ name: 'includemembers', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'cursor', required: false, description: 'membersNextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: 'members per page, 1..1000, default 1000' })
  @ApiExample(200, 'a batch with the first page of its members', BATCH_EXAMPLE)
  @ApiExample(401, 'no or unknown API key', ERROR_EXAMPLES.unauthorized)
  get(
    @Param('batchId') batchId: string,
    @Query('includemembers') includeMembers?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ): Promise<BatchDto> {
    const members = includeMembersParam(includeMembers)
      ? { after: cursorParam(cursor), limit: membersLimitParam(limit) }
      : null;
    return this.read.batch(batchIdParam(batchId), members);
  }
}
