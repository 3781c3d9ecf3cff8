import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ReadApiKeyGuard } from './api-key.guard';
import type { BatchDto } from './api.dto';
import { batchIdParam, includeMembersParam } from './api.params';
import { ReadService } from './read.service';

@ApiTags('batches')
@ApiBearerAuth()
@UseGuards(ReadApiKeyGuard)
@Controller('v1/batches')
export class BatchesController {
  constructor(private readonly read: ReadService) {}

  @Get(':batchId')
  @ApiOperation({
    summary: 'The batch a CommunicationCompleted POST refers to (batch ids are globally unique in Dispatch)',
  })
  @ApiQuery({ name: 'includemembers', required: false, enum: ['true', 'false'] })
  get(
    @Param('batchId') batchId: string,
    @Query('includemembers') includeMembers?: string,
  ): Promise<BatchDto> {
    return this.read.batch(batchIdParam(batchId), includeMembersParam(includeMembers));
  }
}
