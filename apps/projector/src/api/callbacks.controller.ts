import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminApiKeyGuard, AdminKey } from './api-key.guard';
import { OperatorBody } from './api.dto';
import { ERROR_EXAMPLES, RESEND_EXAMPLE } from './api.examples';
import { ApiExample } from './api.openapi';
import { callbackIdParam, operatorBodyParam } from './api.params';
import { OperationsService } from './operations.service';

@ApiTags('callbacks')
@ApiBearerAuth()
@UseGuards(AdminApiKeyGuard)
@Controller('v1/callbacks')
export class CallbacksController {
  constructor(private readonly operations: OperationsService) {}

  @Post(':callbackId/resend')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'One more attempt of a failed or cancelled callback (admin key): appends CallbackResendRequested; same idempotency key',
  })
  @ApiBody({ type: OperatorBody })
  @ApiExample(202, 'the resend is on the log; the dispatcher makes attempt `attempt`', RESEND_EXAMPLE)
  @ApiExample(401, 'no or unknown API key', ERROR_EXAMPLES.unauthorized)
  @ApiExample(403, 'a read key', ERROR_EXAMPLES.adminKeyRequired)
  @ApiExample(409, 'not failed or cancelled, or the communication is disabled', ERROR_EXAMPLES.notResendable)
  resend(
    @Param('callbackId') callbackId: string,
    @Body() body: unknown,
    @AdminKey() adminKey: string,
  ): Promise<{ eventId: string; callbackId: string; attempt: number }> {
    return this.operations.resend(callbackIdParam(callbackId), { ...operatorBodyParam(body), adminKey });
  }
}
