import { randomUUID } from 'node:crypto';
import {
  secretAad,
  type AttemptErrorKind,
  type CallbackConfig,
  type CommunicationConfigured,
  type LogEvent,
} from '@app/contracts';
import { redactUrl, type SecretBox } from '@app/platform';
import { completionBody } from '../delivery/completion-body';
import type { AttemptResult, CallbackRequest, HttpSender } from '../delivery/http-sender';
import { variablesFor } from '../delivery/template-variables';
import { renderUrl } from '../delivery/url-template';
import type { TriggeringEvent } from '../domain/callbacks-due';
import {
  attemptedEvent,
  callbackRef,
  cancelledEvent,
  failedEvent,
  type CallbackRef,
} from '../domain/callback-records';
import { configForOneCallback, type RetryRecord } from '../domain/retry-record';
import { judgeAttempt, type RetryPolicy } from '../domain/retry-policy';
import type { DispatcherMetrics } from '../observability/dispatcher.metrics';
import type { ConcurrencyGate } from './concurrency.gate';

/** One attempt to make: the first (from the log) or a retry (from the retry topic). */
export interface AttemptJob {
  callbackId: string;
  callback: CallbackConfig;
  trigger: TriggeringEvent;
  config: CommunicationConfigured;
  attempt: number;
  epoch: number;
  /** Asked right before the request leaves: false = the communication was disabled meanwhile. */
  stillActive: () => boolean;
}

/** What an attempt adds to the transaction; `failed` = a CallbackFailed is among the events. */
export interface AttemptOutput {
  events: LogEvent[];
  retry: RetryRecord | null;
  failed: boolean;
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
 * prepare → (gate) → send → judge → events. Every step returns a value instead of throwing, and
 * every attempt is recorded before the retry decision is written (svix's worker does the same).
 */
export class CallbackAttemptRunner {
  constructor(
    private readonly settings: AttemptSettings,
    private readonly secrets: SecretBox,
    private readonly sender: HttpSender,
    private readonly gate: ConcurrencyGate,
    private readonly metrics: DispatcherMetrics,
  ) {}

  async run(job: AttemptJob): Promise<AttemptOutput> {
    const prepared = this.prepare(job);
    const ref = callbackRef(job.callbackId, job.callback, job.trigger, prepared.redactedUrl);
    if (!job.stillActive()) return this.cancelled(job, ref);
    let result: AttemptResult | 'cancelled';
    if (prepared.ok) {
      // Re-checked after waiting for a slot: the communication may have been disabled meanwhile.
      result = await this.gate.run<AttemptResult | 'cancelled'>(prepared.host, async () =>
        job.stillActive() ? this.sender.send(freshlySigned(prepared.request)) : 'cancelled',
      );
    } else {
      result = {
        startedAt: new Date(),
        durationMs: 0,
        statusCode: null,
        error: prepared.error,
        responseSnippet: null,
      };
    }
    if (result === 'cancelled') return this.cancelled(job, ref);
    return this.judge(job, ref, result);
  }

  private judge(job: AttemptJob, ref: CallbackRef, result: AttemptResult): AttemptOutput {
    const finishedAt = new Date(result.startedAt.getTime() + result.durationMs);
    const verdict = judgeAttempt(this.settings.policy, {
      attempt: job.attempt,
      statusCode: result.statusCode,
      error: result.error,
      finishedAt,
    });
    const errorKind = verdict.outcome === 'succeeded' ? 'none' : verdict.error.kind;
    this.metrics.attempts.inc({ outcome: verdict.outcome, error_kind: errorKind });
    this.metrics.attemptDuration.observe({ outcome: verdict.outcome }, result.durationMs / 1000);
    const communicationId = job.trigger.communicationId;
    const events: LogEvent[] = [
      attemptedEvent(communicationId, ref, { ...result, attempt: job.attempt }, verdict, stamp()),
    ];
    if (verdict.outcome === 'failed') {
      events.push(failedEvent(communicationId, ref, job.attempt, verdict.error, result.statusCode, stamp()));
      return { events, retry: null, failed: true };
    }
    if (verdict.outcome === 'retrying') {
      const retry: RetryRecord = {
        v: 1,
        communicationId,
        callbackId: job.callbackId,
        callbackConfigId: job.callback.id,
        attempt: job.attempt + 1,
        dueAt: verdict.nextAttemptAt.toISOString(),
        epoch: job.epoch,
        trigger: job.trigger,
        config: configForOneCallback(job.config, job.callback.id),
      };
      return { events, retry, failed: false };
    }
    return { events, retry: null, failed: false };
  }

  private cancelled(job: AttemptJob, ref: CallbackRef): AttemptOutput {
    this.metrics.cancelled.inc();
    return {
      events: [cancelledEvent(job.trigger.communicationId, ref, job.attempt - 1, stamp())],
      retry: null,
      failed: false,
    };
  }

  /** Renders the URL and opens the secrets; a failure here is a permanent error of the attempt. */
  private prepare(job: AttemptJob): Prepared {
    const { callback, trigger } = job;
    const rendered = renderUrl(callback.url, variablesFor(trigger, job.config));
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
      idempotencyKey: job.callbackId,
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
          messageId: job.callbackId,
          timestamp: new Date(),
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

/** The signature timestamp is taken when the request leaves, not when it was queued. */
const freshlySigned = (r: CallbackRequest): CallbackRequest =>
  r.signing ? { ...r, signing: { ...r.signing, timestamp: new Date() } } : r;

const stamp = () => ({ eventId: randomUUID(), occurredAt: new Date() });

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
