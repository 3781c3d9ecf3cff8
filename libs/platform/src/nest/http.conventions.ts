import type { INestApplication } from '@nestjs/common';
import type { Express } from 'express';
import { JsonErrorFilter } from './json-error.filter';
import { requestLogging } from './request-logging.middleware';

/**
 * What every service's HTTP server does the same way: a log line and a request id per request,
 * one JSON error shape for every error (unknown routes included), no framework banner header.
 * Called before any other middleware so that even a request refused by a body parser is logged.
 */
export function applyHttpConventions(app: INestApplication): void {
  (app.getHttpAdapter().getInstance() as Express).disable('x-powered-by');
  app.use(requestLogging());
  app.useGlobalFilters(new JsonErrorFilter());
}
