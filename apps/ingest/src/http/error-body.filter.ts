import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Response } from 'express';

const CODES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'payload-too-large',
  503: 'unavailable',
};

/**
 * Every error leaves as `{ error: { code, message, issues? } }`. Exceptions already in that shape
 * pass through; Nest's own (404...) are mapped; anything unexpected is a 500 without details.
 */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'error' in body) {
        res.status(status).json(body);
        return;
      }
      res.status(status).json({ error: { code: CODES[status] ?? 'http-error', message: exception.message } });
      return;
    }
    this.logger.error(
      `unhandled error: ${(exception as Error)?.name ?? 'unknown'}`,
      (exception as Error)?.stack,
    );
    res
      .status(HttpStatus.INTERNAL_SERVER_ERROR)
      .json({ error: { code: 'internal', message: 'internal error' } });
  }
}
