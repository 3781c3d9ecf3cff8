import { ApiKeyGuard } from '@app/platform/nest';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { IngestConfig } from '../config/ingest.config';
import { INGEST_CONFIG } from '../ingest.tokens';

/** The platform's ApiKeyGuard with this app's keys (API_KEYS), so Nest can inject it. */
@Injectable()
export class IngestApiKeyGuard implements CanActivate {
  private readonly inner: ApiKeyGuard;

  constructor(@Inject(INGEST_CONFIG) config: IngestConfig) {
    this.inner = new ApiKeyGuard(config.apiKeys);
  }

  canActivate(context: ExecutionContext): boolean {
    return this.inner.canActivate(context);
  }
}
