import { Body, Controller, Get, HttpException, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { KeyRing } from '@app/platform';
import { RECOVERABLE_STATES } from '@app/contracts';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { badRequest } from '../api/api.errors';
import {
  batchIdParam,
  communicationIdParam,
  cursorParam,
  messageIdParam,
  operatorBodyParam,
  parseParam,
  recoverBodyParam,
  stateParam,
} from '../api/api.params';
import { OperationsService } from '../api/operations.service';
import type { ProjectorConfig } from '../config/projector.config';
import { isDisablePending } from '../outbox/disable-pending.query';
import { PROJECTOR_CONFIG } from '../projector.tokens';
import { DataSource } from 'typeorm';
import { ConsolePages } from './console.pages';
import { ConsoleRenderer, type ConsolePage } from './console.renderer';
import {
  cookie,
  LOGIN_COOKIE,
  newSession,
  newToken,
  openSession,
  parseCookies,
  sameToken,
  sealSession,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  type ConsoleSession,
} from './console.session';
import { CONSOLE_STATUSES } from './console.views';

/**
 * No script at all, styles only from the console's own file, forms only to itself, never framed
 * (decision 0721). The chart is inline SVG markup, which needs no exception.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Texts of the outcomes a write redirects with; the query names one, it never carries text. */
const NOTICES: Record<string, string> = {
  'enable-requested':
    'Enable requested: CommunicationEnabled is on the log. The status changes as soon as the projection applies it (reload).',
  'recover-requested': 'Recovery requested: the failed/cancelled callbacks will be resent at a bounded rate.',
};
const PROBLEMS: Record<string, string> = {
  'disable-pending':
    'The automatic disable is not on the log yet (disable pending): enable again in a few seconds.',
  'not-disabled': 'The communication is not disabled.',
  'communication-disabled': 'The communication is disabled: enable it first, then recover.',
};

const CSS = readFileSync(join(__dirname, 'assets', 'console.css'), 'utf8');
const formText = (v: unknown) => (typeof v === 'string' ? v.trim() : v);

type Form = Record<string, unknown>;

/**
 * The operator console: server-rendered pages over the projection (decision 0720), a login with the
 * API keys, and the two writes of an on-call person (enable, recover) through the same
 * OperationsService as the API.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  private readonly renderer = new ConsoleRenderer();
  /** Sessions are signed with a key that lives as long as the process: a restart logs everyone out. */
  private readonly secret = randomBytes(32);
  private readonly admins: KeyRing;
  private readonly readers: KeyRing;
  private readonly secure: boolean;

  constructor(
    private readonly pages: ConsolePages,
    private readonly operations: OperationsService,
    private readonly ds: DataSource,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
  ) {
    this.admins = new KeyRing(config.adminApiKeys);
    this.readers = new KeyRing(config.apiKeys.map((key, i) => ({ name: `read-${i + 1}`, key })));
    this.secure = config.publicBaseUrl.startsWith('https:');
  }

  @Get()
  root(@Res() res: Response): void {
    res.redirect(303, '/console/communications');
  }

  @Get('assets/console.css')
  css(@Res() res: Response): void {
    res.set({
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'max-age=300',
      ...securityHeaders(),
    });
    res.send(CSS);
  }

  @Get('login')
  loginForm(@Res() res: Response): void {
    this.showLogin(res, 200, undefined);
  }

  @Post('login')
  login(@Req() req: Request, @Res() res: Response, @Body() body: Form): void {
    const token = parseCookies(req.headers.cookie)[LOGIN_COOKIE];
    if (!sameToken(token, body?._csrf))
      return this.showLogin(res, 403, 'The form expired: please log in again.');
    const key = typeof body.key === 'string' ? body.key.trim() : '';
    const admin = this.admins.match(key);
    const reader = admin === null ? this.readers.match(key) : null;
    if (admin === null && reader === null)
      return this.showLogin(res, 401, 'This is not one of the API keys.');
    const session = newSession((admin ?? reader)!, admin !== null, Date.now());
    res.append('set-cookie', cookie(LOGIN_COOKIE, '', { maxAgeS: 0, secure: this.secure }));
    res.append(
      'set-cookie',
      cookie(SESSION_COOKIE, sealSession(session, this.secret), {
        maxAgeS: SESSION_TTL_MS / 1000,
        secure: this.secure,
      }),
    );
    res.redirect(303, '/console/communications');
  }

  @Post('logout')
  logout(@Req() req: Request, @Res() res: Response, @Body() body: Form): void {
    const session = this.session(req);
    if (session && !sameToken(session.csrf, body?._csrf))
      return this.fail(res, session, 403, 'The form expired.');
    res.append('set-cookie', cookie(SESSION_COOKIE, '', { maxAgeS: 0, secure: this.secure }));
    res.redirect(303, '/console/login');
  }

  @Get('communications')
  async communications(
    @Req() req: Request,
    @Res() res: Response,
    @Query('status') status?: string,
    @Query('after') after?: string,
  ): Promise<void> {
    await this.page(req, res, 'communications', (s) =>
      this.pages.communications(
        s,
        parseParam(z.enum(CONSOLE_STATUSES).optional(), status, 'status'),
        listCursor(after),
      ),
    );
  }

  @Get('communications/:id')
  async communication(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Query('state') state?: string,
    @Query('after') after?: string,
    @Query('done') done?: string,
    @Query('problem') problem?: string,
  ): Promise<void> {
    await this.page(req, res, 'communication', async (s) => {
      const cid = communicationIdParam(id);
      const pending = await isDisablePending(this.ds, this.config.schema, cid);
      return {
        ...(await this.pages.communication(s, cid, stateParam(state), cursorParam(after), pending)),
        notice: done ? NOTICES[done] : undefined,
        problem: problem ? PROBLEMS[problem] : undefined,
      };
    });
  }

  @Post('communications/:id/enable')
  async enable(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() body: Form,
  ): Promise<void> {
    await this.write(req, res, id, body, async (cid, s) => {
      const who = operatorBodyParam({ by: formText(body.by), reason: formText(body.reason) });
      await this.operations.enable(cid, { ...who, adminKey: s.keyName });
      return 'enable-requested';
    });
  }

  @Post('communications/:id/recover')
  async recover(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() body: Form,
  ): Promise<void> {
    await this.write(req, res, id, body, async (cid, s) => {
      const { since, states, by, reason } = recoverBodyParam({
        since: formText(body.since),
        states: RECOVERABLE_STATES.filter((st) => body[st] === '1'),
        by: formText(body.by),
        reason: formText(body.reason),
      });
      await this.operations.recover(cid, { since, states }, { by, reason, adminKey: s.keyName });
      return 'recover-requested';
    });
  }

  @Get('messages/:id')
  async message(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.page(req, res, 'message', (s) => this.pages.message(s, messageIdParam(id)));
  }

  @Get('batches/:id')
  async batch(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Query('after') after?: string,
  ): Promise<void> {
    await this.page(req, res, 'batch', (s) => this.pages.batch(s, batchIdParam(id), cursorParam(after)));
  }

  @Get('failures')
  async failures(@Req() req: Request, @Res() res: Response, @Query('after') after?: string): Promise<void> {
    await this.page(req, res, 'failures', (s) => this.pages.failures(s, failureCursor(after)));
  }

  private session(req: Request): ConsoleSession | null {
    return openSession(parseCookies(req.headers.cookie)[SESSION_COOKIE], this.secret, Date.now());
  }

  /** A page for a logged-in operator; errors of the read service become an error page. */
  private async page(
    req: Request,
    res: Response,
    name: ConsolePage,
    build: (s: ConsoleSession) => Promise<object>,
  ): Promise<void> {
    const session = this.session(req);
    if (!session) return res.redirect(303, '/console/login');
    try {
      this.send(res, 200, name, await build(session));
    } catch (e) {
      this.failWith(res, session, e);
    }
  }

  /** A write: a session with an admin key, the session's CSRF token, then back to the communication. */
  private async write(
    req: Request,
    res: Response,
    id: string,
    body: Form,
    act: (communicationId: string, s: ConsoleSession) => Promise<string>,
  ): Promise<void> {
    const session = this.session(req);
    if (!session) return res.redirect(303, '/console/login');
    if (!sameToken(session.csrf, body?._csrf))
      return this.fail(res, session, 403, 'The form expired: reload the page and try again.');
    if (!session.admin) return this.fail(res, session, 403, 'This needs an admin key (ADMIN_API_KEYS).');
    let cid: string;
    try {
      cid = communicationIdParam(id);
      const done = await act(cid, session);
      res.redirect(303, `/console/communications/${encodeURIComponent(cid)}?done=${done}`);
    } catch (e) {
      const code = errorOf(e)?.code;
      if (code && code in PROBLEMS) {
        return res.redirect(303, `/console/communications/${encodeURIComponent(id)}?problem=${code}`);
      }
      this.failWith(res, session, e);
    }
  }

  private failWith(res: Response, session: ConsoleSession, e: unknown): void {
    const error = errorOf(e);
    if (!error || !(e instanceof HttpException)) throw e;
    this.fail(res, session, e.getStatus(), error.message);
  }

  private fail(res: Response, session: ConsoleSession | null, status: number, message: string): void {
    this.send(res, status, 'error', {
      title: status === 404 ? 'Not found' : 'Not possible',
      session,
      message,
    });
  }

  private showLogin(res: Response, status: number, problem: string | undefined): void {
    const csrf = newToken();
    res.append('set-cookie', cookie(LOGIN_COOKIE, csrf, { maxAgeS: 3600, secure: this.secure }));
    this.send(res, status, 'login', { title: 'Log in', csrf, problem });
  }

  private send(res: Response, status: number, page: ConsolePage, model: object): void {
    res
      .status(status)
      .set({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...securityHeaders() });
    res.send(this.renderer.render(page, model));
  }
}

function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

/** The `{ error: { code, message } }` of an API error, the shape every HttpException here carries. */
function errorOf(e: unknown): { code: string; message: string } | null {
  if (!(e instanceof HttpException)) return null;
  const body = e.getResponse() as { error?: { code?: unknown; message?: unknown } };
  const code = body?.error?.code;
  const message = body?.error?.message;
  return typeof code === 'string' && typeof message === 'string'
    ? { code, message }
    : { code: 'error', message: e.message };
}

function listCursor(v: string | undefined): { rank: number; id: string } | undefined {
  const after = cursorParam(v);
  if (after === undefined) return undefined;
  const m = /^([01]):(.+)$/.exec(after);
  if (!m) throw badRequest('after: not a cursor of this page', 'invalid-parameter');
  return { rank: Number(m[1]), id: m[2] };
}

function failureCursor(v: string | undefined): { at: string; id: string } | undefined {
  const after = cursorParam(v);
  if (after === undefined) return undefined;
  const [at, id] = after.split('|');
  return { at: parseParam(z.iso.datetime(), at, 'after'), id: parseParam(z.uuid(), id, 'after') };
}
