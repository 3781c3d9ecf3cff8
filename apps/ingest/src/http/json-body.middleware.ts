import { json, NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * express's JSON parser with a size limit, answering its own failures in the service's error shape
 * (otherwise express would answer them with an HTML page): 413 over the limit, 400 for bad JSON,
 * 415 for anything that is not JSON.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const parse = json({ limit: limitBytes, strict: true });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'POST' && !req.is('application/json')) {
      res
        .status(415)
        .json({ error: { code: 'unsupported-media-type', message: 'send Content-Type: application/json' } });
      return;
    }
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as { status?: number; type?: string };
      if (e.type === 'entity.too.large') {
        res
          .status(413)
          .json({ error: { code: 'payload-too-large', message: `the body exceeds ${limitBytes} bytes` } });
      } else if (e.type === 'entity.parse.failed') {
        res.status(400).json({ error: { code: 'malformed-json', message: 'the body is not valid JSON' } });
      } else {
        const status = e.status && e.status >= 400 && e.status < 500 ? e.status : 400;
        res.status(status).json({ error: { code: 'bad-request', message: 'the body could not be read' } });
      }
    });
  };
}
