import type { Handler } from './handler.types';
import { at, callbackOf } from './row.rules';

/** Every attempt is kept as history; the callback's row follows its latest attempt. */
export const onCallbackAttempted: Handler<'CallbackAttempted'> = (rows, e, position) => {
  const d = e.data;
  const attempts = [
    {
      eventId: e.id,
      callbackId: d.callbackId,
      communicationId: e.communicationId,
      messageId: d.messageId,
      attempt: d.attempt,
      triggerType: d.triggerType,
      method: d.method,
      url: d.url,
      startedAt: d.startedAt,
      durationMs: d.durationMs,
      statusCode: d.statusCode,
      errorKind: d.error?.kind ?? null,
      errorMessage: d.error?.message ?? null,
      responseSnippet: d.responseSnippet,
      outcome: d.outcome,
      nextAttemptAt: d.nextAttemptAt,
      retryAfterMs: d.retryAfterMs ?? null,
      logPartition: position.partition,
      logOffset: position.offset,
    },
  ];
  const cb = callbackOf(rows, e, position);
  // An older attempt arriving late (it cannot, on one partition, but be safe) changes nothing.
  if (!cb || d.attempt < cb.attempts || cb.state === 'cancelled') return { attempts };
  // `cancelled`: the CallbackCancelled right after it settles the callback.
  const settles = d.outcome === 'succeeded' || d.outcome === 'failed';
  return {
    attempts,
    callbacks: [
      {
        ...cb,
        ...at(position),
        method: d.method,
        url: d.url,
        attempts: d.attempt,
        state: d.outcome === 'succeeded' ? 'succeeded' : d.outcome === 'failed' ? 'failed' : 'pending',
        lastStatusCode: d.statusCode,
        lastErrorKind: d.error?.kind ?? null,
        lastErrorMessage: d.error?.message ?? null,
        nextAttemptAt: d.outcome === 'retrying' ? d.nextAttemptAt : null,
        updatedAt: e.occurredAt,
        finishedAt: settles ? e.occurredAt : null,
      },
    ],
  };
};
