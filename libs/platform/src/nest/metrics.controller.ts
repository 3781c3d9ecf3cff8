import {
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Header,
  Inject,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { metricsRegistry } from '../observability/metrics.registry';
import { ApiKeyGuard } from './api-key.guard';

/** Who may read `/metrics`; every app provides it (METRICS_REQUIRE_KEY and its API keys). */
export const METRICS_ACCESS = Symbol('METRICS_ACCESS');
export interface MetricsAccess {
  /** True: only a request with one of `apiKeys` (as for the API) may read the metrics. */
  requireKey: boolean;
  apiKeys: string[];
}

/** Lets everyone through, or only requests with an API key when the app requires one. */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly keyGuard?: ApiKeyGuard;

  constructor(@Inject(METRICS_ACCESS) access: MetricsAccess) {
    if (access.requireKey) this.keyGuard = new ApiKeyGuard(access.apiKeys);
  }

  canActivate(context: ExecutionContext): boolean {
    return this.keyGuard?.canActivate(context) ?? true;
  }
}

@Controller()
@UseGuards(MetricsAccessGuard)
export class MetricsController {
  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
