import { secretAad, type AttemptErrorKind, type CallbackConfig } from '@app/contracts';
import { redactUrl, type SecretBox } from '@app/platform';
import { completionBody } from '../delivery/completion.body';
import type { AttemptResult, CallbackRequest, HttpSender } from '../delivery/http.sender';
import { variablesFor } from '../delivery/template.variables';
import { renderUrl } from '../delivery/url.template';
import type { AttemptReport } from '../domain/attempt.outcome';
import { reportOf } from '../domain/attempt.report';
import { callbackRef } from '../domain/callback.records';
import type { StartedAttempt } from '../domain/retry.record';
import type { RetryPolicy } from '../domain/retry.policy';
import type { DispatcherMetrics } from '../observability/dispatcher.metrics';
import type { ConcurrencyGate } from './concurrency.gate';

/** One attempt to make: a first attempt or a resend (from the log) or a retry (from the retry topic). */
export interface AttemptJob {
  /** The attempt as started; `config` is the whole configuration it renders with. */
  started: StartedAttempt;
  callback: CallbackConfig;
  /** Asked right before the request leaves: false = the communication was disabled meanwhile. */
  stillActive: () => boolean;
}

export interface AttemptSettings {
  policy: RetryPolicy;
  timeoutMs: number;
  publicBaseUrl: string;
}

type Prepared =
  | { ok: true; request: CallbackRequest; host: string; redactedUrl: string }
  | { ok: false; redactedUrl: string | null; error: { kind: AttemptErrorKind; message: string } };

/**
 * prepare → (gate) → send → judge. Every step returns a value instead of throwing; the report is
 * turned into events when its batch records it (`recordAttempt`), against the communication's
 * state at that moment (svix's worker also records before it decides what comes next).
 */
export class CallbackAttemptRunner {
  constructor(
    private readonly settings: AttemptSettings,
    private readonly secrets: SecretBox,
    private readonly sender: HttpSender,
    private readonly gate: ConcurrencyGate,
    private readonly metrics: DispatcherMetrics,
    /** The time an attempt that could not be sent is recorded at, and signatures are stamped with. */
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run(job: AttemptJob): Promise<AttemptReport> {
    const { started } = job;
    const prepared = this.prepare(job);
    const ref = callbackRef(started.callbackId, job.callback, started.trigger, prepared.redactedUrl);
    if (!job.stillActive()) return { started, ref, sent: false };
    let result: AttemptResult | 'cancelled';
    if (prepared.ok) {
      // Re-checked after waiting for a slot: the communication may have been disabled meanwhile.
      result = await this.gate.run<AttemptResult | 'cancelled'>(prepared.host, async () =>
        job.stillActive() ? this.sender.send(this.freshlySigned(prepared.request)) : 'cancelled',
      );
    } else {
      result = {
        startedAt: this.clock(),
        durationMs: 0,
        statusCode: null,
        error: prepared.error,
        responseSnippet: null,
        retryAfter: null,
      };
    }
    if (result === 'cancelled') return { started, ref, sent: false };
    const report = reportOf(started, ref, result, this.settings.policy);
    this.metrics.attemptDuration.observe({ outcome: report.verdict.outcome }, result.durationMs / 1000);
    return report;
  }

  /** The signature timestamp is taken when the request leaves, not when it was queued. */
  private freshlySigned(r: CallbackRequest): CallbackRequest {
    return r.signing ? { ...r, signing: { ...r.signing, timestamp: this.clock() } } : r;
  }

  /** Renders the URL and opens the secrets; a failure here is a permanent error of the attempt. */
  private prepare(job: AttemptJob): Prepared {
    const { callback } = job;
    const { trigger, config, callbackId } = job.started;
    const rendered = renderUrl(callback.url, variablesFor(trigger, config));
    if (!rendered.ok) return { ok: false, redactedUrl: null, error: rendered.error };
    const redactedUrl = redactUrl(rendered.url);
    const host = hostOf(rendered.url);
    if (host === null)
      return {
        ok: false,
        redactedUrl,
        error: { kind: 'invalid-url', message: 'the rendered URL is not valid' },
      };
    const request: CallbackRequest = {
      method: callback.method,
      url: rendered.url,
      idempotencyKey: callbackId,
      timeoutMs: this.settings.timeoutMs,
    };
    if (callback.method === 'POST' && trigger.type === 'CommunicationCompleted') {
      request.body = completionBody(trigger, this.settings.publicBaseUrl);
    }
    try {
      if (callback.credentials) {
        const aad = secretAad(trigger.communicationId, callback.id, 'password');
        request.basicAuth = {
          username: callback.credentials.username,
          password: this.secrets.open(callback.credentials.password, aad),
        };
      }
    } catch {
      return {
        ok: false,
        redactedUrl,
        error: {
          kind: 'credentials',
          message: 'the sealed password could not be opened (unknown key or tampered value)',
        },
      };
    }
    try {
      if (callback.signingSecret) {
        const aad = secretAad(trigger.communicationId, callback.id, 'signingSecret');
        request.signing = {
          secret: this.secrets.open(callback.signingSecret, aad),
          messageId: callbackId,
          timestamp: this.clock(),
        };
      }
    } catch {
      return {
        ok: false,
        redactedUrl,
        error: {
          kind: 'credentials',
          message: 'the sealed signing secret could not be opened (unknown key or tampered value)',
        },
      };
    }
    return { ok: true, request, host, redactedUrl };
  }
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
