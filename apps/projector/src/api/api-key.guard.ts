import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiKeyGuard } from '@app/platform';
import type { ProjectorConfig } from '../config/projector.config';
import { PROJECTOR_CONFIG } from '../projector.tokens';

/** The platform's API-key check with this app's configured keys (guards are resolved by class). */
@Injectable()
export class ReadApiKeyGuard implements CanActivate {
  private readonly guard: ApiKeyGuard;

  constructor(@Inject(PROJECTOR_CONFIG) config: ProjectorConfig) {
    this.guard = new ApiKeyGuard(config.apiKeys);
  }

  canActivate(context: ExecutionContext): boolean {
    return this.guard.canActivate(context);
  }
}
