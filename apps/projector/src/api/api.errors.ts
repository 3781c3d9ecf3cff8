import { HttpException, HttpStatus } from '@nestjs/common';

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
