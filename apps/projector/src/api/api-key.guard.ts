import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
} from '@nestjs/common';
import { KeyRing, presentedKey } from '@app/platform';
import { unauthorized } from '@app/platform/nest';
import type { Request } from 'express';
import type { ProjectorConfig } from '../config/projector.config';
import { PROJECTOR_CONFIG } from '../projector.tokens';

type AdminRequest = Request & { adminKey?: string };

/** Reads: any read key (API_KEYS) or admin key (ADMIN_API_KEYS). */
@Injectable()
export class ReadApiKeyGuard implements CanActivate {
  private readonly ring: KeyRing;

  constructor(@Inject(PROJECTOR_CONFIG) config: ProjectorConfig) {
    this.ring = new KeyRing([
      ...config.apiKeys.map((key, i) => ({ name: `read-${i + 1}`, key })),
      ...config.adminApiKeys,
    ]);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.ring.match(presentedKey(context.switchToHttp().getRequest<Request>())) !== null) return true;
    throw unauthorized();
  }
}

/**
 * Writes (enable, resend, recover) need an admin key (decision 0626): a read key is refused with
 * 403 `admin-key-required`, no key with 401. The admin key's name is recorded on the log with the
 * request (`@AdminKey()`).
 */
@Injectable()
export class AdminApiKeyGuard implements CanActivate {
  private readonly admins: KeyRing;
  private readonly readers: KeyRing;

  constructor(@Inject(PROJECTOR_CONFIG) config: ProjectorConfig) {
    this.admins = new KeyRing(config.adminApiKeys);
    this.readers = new KeyRing(config.apiKeys.map((key, i) => ({ name: `read-${i + 1}`, key })));
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AdminRequest>();
    const key = presentedKey(req);
    const admin = this.admins.match(key);
    if (admin !== null) {
      req.adminKey = admin;
      return true;
    }
    if (this.readers.match(key) !== null) {
      throw new HttpException(
        { error: { code: 'admin-key-required', message: 'this write needs an admin key (ADMIN_API_KEYS)' } },
        HttpStatus.FORBIDDEN,
      );
    }
    throw unauthorized();
  }
}

/** The name of the admin key that authorised the request (set by AdminApiKeyGuard). */
export const AdminKey = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<AdminRequest>().adminKey!,
);
