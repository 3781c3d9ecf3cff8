import { Logger } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';
/** A caller's request id is kept only when it is a plausible id: short, no spaces or controls. */
const ACCEPTED_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
/** Longest path written to a log line; a hostile URL must not flood the logs. */
const MAX_LOGGED_PATH = 512;
/**
 * Endpoints that orchestrators and scrapers call every few seconds: logged at debug, or a quiet
 * service would print a line per probe (decision 0662).
 */
const PROBES = new Set(['/health', '/live', '/metrics']);

/** The request id of a request, once `requestLogging` has seen it. */
export function requestIdOf(res: Response): string | undefined {
  return (res.locals as { requestId?: string }).requestId;
}

/**
 * Logs each HTTP request once, when its response has been sent (or the client went away), with
 * method, path (no query string: it may carry tokens), status, duration and a request id. The id
 * is the caller's `x-request-id` when it sent a usable one, else a new UUID; either way it is
 * echoed in the response so a client can quote it.
 */
export function requestLogging(logger = new Logger('http')): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    // Read now: a middleware mounted on a path (ingest's body parser) sees `req.path` relative to
    // its mount point, and may answer from there.
    const fullPath = req.path;
    const path = fullPath.length > MAX_LOGGED_PATH ? `${fullPath.slice(0, MAX_LOGGED_PATH)}…` : fullPath;
    const offered = req.get(REQUEST_ID_HEADER);
    const requestId = offered && ACCEPTED_ID.test(offered) ? offered : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
      const status = res.statusCode;
      const record = {
        message: `${req.method} ${path} ${status} ${durationMs} ms`,
        method: req.method,
        path,
        status,
        durationMs,
        requestId,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (PROBES.has(fullPath)) logger.debug(record);
      else logger.log(record);
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}
