import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { LIMITS } from '@app/contracts';
import type { AttemptErrorKind } from '@app/contracts';
import { checkAddress, Cidr, parseCidr, parseIp } from './address.guard';
import { AttemptError, describeError, SENDER_CODES, SenderError } from './attempt.error';
import { guardedLookup } from './guarded.lookup';
import { prepareRequest, PreparedRequest } from './request.headers';
import { captureBytesFor, recordableSnippet, secretStrings } from './response.snippet';

export interface CallbackRequest {
  method: 'GET' | 'POST';
  /** The rendered URL (see url.template.ts). User information in it is never used. */
  url: string;
  /** JSON, only for CommunicationCompleted via POST; ignored for GET. */
  body?: string;
  basicAuth?: { username: string; password: string };
  /** Sent as `Idempotency-Key`; the same on every attempt of one callback. */
  idempotencyKey: string;
  /** Standard Webhooks signing; `messageId` becomes `webhook-id`. */
  signing?: { secret: string; messageId: string; timestamp: Date };
  /** Bound on the whole exchange: connect, send, response headers and body. */
  timeoutMs: number;
}

export interface AttemptResult {
  startedAt: Date;
  durationMs: number;
  /** The HTTP status, or null when no response came. */
  statusCode: number | null;
  /**
   * Null when a complete response came (whatever its status). Set when there was no response, or
   * when the response body did not complete within the timeout: then `statusCode` is also set,
   * and the attempt counts as failed (success = `error === null` and a success status).
   */
  error: { kind: AttemptErrorKind; message: string } | null;
  /**
   * At most `maxSnippetBytes` of the body as UTF-8 text, storable anywhere (see
   * `recordableSnippet`): invalid bytes and U+0000 replaced, the request's secrets removed.
   */
  responseSnippet: string | null;
  /** The response's `Retry-After` header as sent (first value), null when absent. */
  retryAfter: string | null;
}

export interface HttpSenderOptions {
  /** CIDR ranges opened despite the guard, e.g. `127.0.0.0/8`. Empty in production. */
  allowedNetworks: string[];
  /** Response bytes kept; at most LIMITS.maxResponseSnippetBytes (what an event can hold). */
  maxSnippetBytes: number;
  userAgent: string;
  /** Connections per receiver host:port (requests beyond it wait for a free one). Default 64. */
  maxSocketsPerHost?: number;
  /** Connections overall. Default 512. */
  maxTotalSockets?: number;
  /** An idle kept-alive connection is closed after this. Default 4000 ms (below common server defaults). */
  idleSocketMs?: number;
}

interface Target {
  protocol: 'http:' | 'https:';
  /** Without IPv6 brackets, as sockets want it. */
  hostname: string;
  port: number;
  path: string;
  /** `host:port`, safe to record (no user information, path or query). */
  label: string;
}

type Outcome = Pick<AttemptResult, 'statusCode' | 'error' | 'responseSnippet'> & {
  retryAfter?: string | null;
  retryable?: boolean;
};

/**
 * Sends one callback request and reports what happened; it never throws. Node's http/https with
 * keep-alive agents; redirects are not followed (a 3xx is just a status); every connection goes
 * through the SSRF guard. It logs nothing, so it cannot leak credentials or URLs.
 */
export class HttpSender {
  private readonly allowed: Cidr[];
  private readonly lookup: LookupFunction;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private closed = false;

  constructor(private readonly opts: HttpSenderOptions) {
    const max = opts.maxSnippetBytes;
    if (!Number.isInteger(max) || max < 0 || max > LIMITS.maxResponseSnippetBytes) {
      throw new Error(`maxSnippetBytes must be an integer in 0..${LIMITS.maxResponseSnippetBytes}`);
    }
    this.allowed = opts.allowedNetworks.map(parseCidr);
    this.lookup = guardedLookup(this.allowed);
    const agentOptions = {
      keepAlive: true,
      maxSockets: opts.maxSocketsPerHost ?? 64,
      maxTotalSockets: opts.maxTotalSockets ?? 512,
      maxFreeSockets: opts.maxSocketsPerHost ?? 64,
      timeout: opts.idleSocketMs ?? 4000,
    };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
  }

  async send(req: CallbackRequest): Promise<AttemptResult> {
    const startedAt = new Date();
    const t0 = performance.now();
    const finish = (o: Outcome): AttemptResult => ({
      startedAt,
      durationMs: Math.max(0, Math.round(performance.now() - t0)),
      statusCode: o.statusCode,
      error: o.error,
      responseSnippet: o.responseSnippet,
      retryAfter: o.retryAfter ?? null,
    });
    let label = 'the receiver';
    try {
      if (this.closed) throw Object.assign(new Error('sender closed'), { code: 'ERR_SENDER_CLOSED' });
      const target = this.targetOf(req.url);
      label = target.label;
      const prepared = prepareRequest({ ...req, userAgent: this.opts.userAgent });
      const deadline = t0 + req.timeoutMs;
      let outcome = await this.exchange(target, prepared, req, deadline);
      // A kept-alive connection the receiver had just closed fails before any response; that says
      // nothing about the receiver, so the request is made once more on a fresh connection.
      if (outcome.retryable && performance.now() < deadline)
        outcome = await this.exchange(target, prepared, req, deadline);
      return finish(outcome);
    } catch (e) {
      return finish({ statusCode: null, error: describeError(e, label), responseSnippet: null });
    }
  }

  /** Closes every kept-alive connection; requests still running fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Parses the URL and applies the guard to an IP-literal host (no DNS lookup happens for those). */
  private targetOf(url: string): Target {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new SenderError(SENDER_CODES.invalidUrl, 'the callback URL is not a valid absolute URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new SenderError(SENDER_CODES.invalidUrl, 'the callback URL must use http or https');
    }
    const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    const label = `${u.hostname}:${port}`;
    if (parseIp(hostname)) {
      const verdict = checkAddress(hostname, this.allowed);
      if (!verdict.allowed) {
        throw new SenderError(
          SENDER_CODES.blocked,
          `blocked: ${hostname} is in ${verdict.range} (${verdict.reason}); not in the allowed networks`,
        );
      }
    }
    return { protocol: u.protocol, hostname, port, path: `${u.pathname}${u.search}`, label };
  }

  private exchange(
    target: Target,
    prepared: PreparedRequest,
    req: CallbackRequest,
    deadline: number,
  ): Promise<Outcome> {
    const max = this.opts.maxSnippetBytes;
    const secrets = secretStrings({
      authorization: prepared.headers.authorization,
      password: req.basicAuth?.password,
      signingSecret: req.signing?.secret,
    });
    // A little more than the snippet is read, so that an echoed secret cut by its end is seen whole.
    const capture = captureBytesFor(max, secrets);
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      let statusCode: number | null = null;
      let retryAfter: string | null = null;
      const chunks: Buffer[] = [];
      let kept = 0;
      const settle = (error: AttemptError | null, retryable = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const responseSnippet =
          statusCode === null ? null : recordableSnippet(Buffer.concat(chunks), secrets, max);
        resolve({ statusCode, error, responseSnippet, retryAfter, retryable });
      };

      const request = (target.protocol === 'https:' ? https : http).request(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          path: target.path,
          method: req.method,
          headers: prepared.headers,
          agent: target.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
          lookup: this.lookup,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status < 100 || status > 599) {
            settle({ kind: 'network', message: `invalid HTTP status ${status} from ${target.label}` });
            request.destroy();
            return;
          }
          statusCode = status;
          const header = res.headers['retry-after'];
          retryAfter = (Array.isArray(header) ? header[0] : header)?.slice(0, 100) ?? null;
          // Keep the first `capture` bytes; later chunks are read and dropped, so the connection
          // can be reused without the body ever being held in memory.
          res.on('data', (chunk: Buffer) => {
            if (kept >= capture) return;
            const part = chunk.subarray(0, capture - kept);
            chunks.push(part);
            kept += part.length;
          });
          res.on('end', () => settle(null));
          res.on('error', (e) => settle(describeError(e, target.label)));
          res.on('close', () => {
            if (!res.complete) {
              settle(
                describeError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), target.label),
              );
            }
          });
        },
      );
      request.on('error', (e) => {
        const code = (e as { code?: string }).code;
        const staleSocket =
          request.reusedSocket && statusCode === null && (code === 'ECONNRESET' || code === 'EPIPE');
        settle(describeError(e, target.label), staleSocket);
      });
      const timer = setTimeout(
        () => {
          const message = `no complete response from ${target.label} within ${req.timeoutMs} ms`;
          settle({ kind: 'timeout', message });
          request.destroy(new SenderError(SENDER_CODES.timeout, message));
        },
        Math.max(0, deadline - performance.now()),
      );
      request.end(prepared.body);
    });
  }
}
