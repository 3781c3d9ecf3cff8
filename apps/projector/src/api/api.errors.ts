import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';

/** Stable error codes of the read API. */
export type ApiErrorCode = 'bad-request' | 'unauthorized' | 'not-found' | 'conflict' | 'internal';

export class ApiError extends HttpException {
  constructor(status: HttpStatus, code: ApiErrorCode | string, message: string) {
    super({ error: { code, message } }, status);
  }
}

export const notFound = (what: string, id: string) =>
  new ApiError(HttpStatus.NOT_FOUND, 'not-found', `${what} ${JSON.stringify(id)} is not known`);
export const badRequest = (message: string, code = 'bad-request') =>
  new ApiError(HttpStatus.BAD_REQUEST, code, message);

const CODES: Record<number, ApiErrorCode> = {
  400: 'bad-request',
  401: 'unauthorized',
  404: 'not-found',
  409: 'conflict',
};

/** Every error leaves as `{ error: { code, message } }`; unexpected ones are logged, not echoed. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'error' in body) {
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
    this.logger.error(`unhandled error: ${(exception as Error)?.stack ?? String(exception)}`);
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  }
}
