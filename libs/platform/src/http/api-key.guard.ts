import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Accepts `Authorization: Bearer <key>` or `X-Api-Key: <key>`. Keys are compared as SHA-256
 * digests in constant time, so neither the key nor its length leaks through timing.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly digests: Buffer[];

  constructor(keys: string[]) {
    this.digests = keys.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const auth = req.headers.authorization;
    const key = auth?.startsWith('Bearer ')
      ? auth.slice(7).trim()
      : (req.headers['x-api-key'] as string | undefined);
    if (key) {
      const d = digest(key);
      // Check every key (no early exit) so the position of a match does not leak either.
      let ok = false;
      for (const k of this.digests) ok = timingSafeEqual(k, d) || ok;
      if (ok) return true;
    }
    throw new HttpException(
      {
        error: { code: 'unauthorized', message: 'a valid API key is required (Authorization: Bearer <key>)' },
      },
      HttpStatus.UNAUTHORIZED,
    );
  }
}
