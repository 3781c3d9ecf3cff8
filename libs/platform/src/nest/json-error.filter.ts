import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { requestIdOf } from './request-logging.middleware';

/** Stable codes for Nest's own exceptions (a 404 route, a 413 body...). */
const CODES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  503: 'unavailable',
};

/**
 * Every HTTP error of every service leaves as `{ error: { code, message, ... } }`. Exceptions
 * already in that shape pass through; Nest's own are mapped to a stable code; anything unexpected
 * is logged and answered as a 500 without details (no stack or input is echoed).
 */
@Catch()
export class JsonErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      // Already in the shape (Nest's own bodies have `error` too, but as a string: "Not Found").
      if (
        typeof body === 'object' &&
        body !== null &&
        typeof (body as { error?: unknown }).error === 'object'
      ) {
        res.status(status).json(body);
        return;
      }
      const message =
        typeof body === 'string'
          ? body
          : String((body as { message?: unknown }).message ?? exception.message);
      res.status(status).json({ error: { code: CODES[status] ?? `http-${status}`, message } });
      return;
    }
    this.logger.error({
      message: `unhandled error: ${(exception as Error)?.stack ?? String(exception)}`,
      requestId: requestIdOf(res),
    });
    res
      .status(HttpStatus.INTERNAL_SERVER_ERROR)
      .json({ error: { code: 'internal', message: 'internal error' } });
  }
}
