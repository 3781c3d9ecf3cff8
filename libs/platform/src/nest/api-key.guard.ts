import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { KeyRing, presentedKey } from '../http/api-key.ring';

export const unauthorized = () =>
  new HttpException(
    { error: { code: 'unauthorized', message: 'a valid API key is required (Authorization: Bearer <key>)' } },
    HttpStatus.UNAUTHORIZED,
  );

/** Accepts `Authorization: Bearer <key>` or `X-Api-Key: <key>` when it is one of `keys`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly ring: KeyRing;

  constructor(keys: string[]) {
    this.ring = new KeyRing(keys.map((key, i) => ({ name: `key-${i + 1}`, key })));
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.ring.match(presentedKey(context.switchToHttp().getRequest<Request>())) !== null) return true;
    throw unauthorized();
  }
}
