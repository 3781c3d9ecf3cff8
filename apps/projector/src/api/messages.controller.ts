import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadApiKeyGuard } from './api-key.guard';
import type { MessageCallbacksDto } from './api.dto';
import { messageIdParam } from './api.params';
import { ReadService } from './read.service';

@ApiTags('messages')
@ApiBearerAuth()
@UseGuards(ReadApiKeyGuard)
@Controller('v1/messages')
export class MessagesController {
  constructor(private readonly read: ReadService) {}

  @Get(':messageId/callbacks')
  @ApiOperation({
    summary: "The callback history of one message (its 'message properties'): every attempt and outcome",
  })
  callbacks(@Param('messageId') messageId: string): Promise<MessageCallbacksDto> {
    return this.read.messageCallbacks(messageIdParam(messageId));
  }
}
