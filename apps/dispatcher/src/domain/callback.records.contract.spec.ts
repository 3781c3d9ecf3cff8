import fc from 'fast-check';
import {
  ATTEMPT_ERROR_KINDS,
  callbackIdOf,
  LIMITS,
  validateEvent,
  type CallbackConfig,
} from '@app/contracts';
import {
  attemptedEvent,
  callbackRef,
  cancelledEvent,
  failedEvent,
  type AttemptRecord,
  type RecordedVerdict,
} from './callback.records';
import type { TriggeringEvent } from './triggering.event';

/*
 * The dispatcher appends its own events without validating them again (issue 14: zod on every
 * produced event cost about 5 % of its CPU). These builders are the only place its events are made,
 * so this is where the contract is proven: whatever an attempt, a receiver or a configuration hands
 * them, within their types, the event they build is a valid stored event.
 */

const triggerId = 'e0000000-0000-4000-8000-000000000001';
const trigger = {
  id: triggerId,
  type: 'MessageSent',
  version: 1,
  occurredAt: '2026-11-30T10:00:00.000Z',
  communicationId: 'comm-1',
  data: { messageId: 'e0000000-0000-4000-8000-000000000002', batchId: 'b', memberAttributes: {} },
} as unknown as TriggeringEvent;

const anyText = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });
const config = fc.record({
  // A configured callback's id passed the contract when its configuration was admitted.
  id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/).filter((id) => id.length <= LIMITS.maxIdLength),
  method: fc.constantFrom('GET' as const, 'POST' as const),
});
const record: fc.Arbitrary<AttemptRecord> = fc.record({
  attempt: fc.integer({ min: 1, max: 100 }),
  startedAt: fc.date({ min: new Date('2000-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
  durationMs: fc.oneof(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.double({ noNaN: false })),
  statusCode: fc.oneof(fc.constant(null), fc.integer({ min: -1000, max: 100_000 })),
  responseSnippet: fc.oneof(fc.constant(null), anyText(2 * LIMITS.maxResponseSnippetBytes)),
  retryAfterMs: fc.oneof(fc.constant(null), fc.nat({ max: 2 * LIMITS.maxRecordedRetryAfterMs })),
});
const error = fc.record({
  kind: fc.constantFrom(...ATTEMPT_ERROR_KINDS),
  message: anyText(3 * LIMITS.maxTextLength),
});
const verdict: fc.Arbitrary<RecordedVerdict> = fc.oneof(
  fc.constant({ outcome: 'succeeded' as const }),
  fc.record({
    outcome: fc.constant('retrying' as const),
    error,
    nextAttemptAt: fc.date({ min: new Date('2000-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
  }),
  fc.record({ outcome: fc.constantFrom('failed' as const, 'cancelled' as const), error }),
);
const url = fc.oneof(fc.constant(null), anyText(2 * LIMITS.maxRenderedUrlLength));
const stamp = {
  eventId: 'e0000000-0000-4000-8000-000000000003',
  occurredAt: new Date('2026-11-30T10:00:01Z'),
};

const refOf = (c: { id: string; method: 'GET' | 'POST' }, u: string | null) =>
  callbackRef(
    callbackIdOf(triggerId, c.id),
    { ...c, event: 'MessageSent', url: 'http://x/' } as CallbackConfig,
    trigger,
    u,
  );

const expectValid = (event: unknown) => {
  const checked = validateEvent(event, 'stored');
  expect(checked.ok ? [] : checked.rejection.issues).toEqual([]);
};

describe('the events the dispatcher builds match the contract without being validated again', () => {
  it('given any attempt record and verdict, then CallbackAttempted is a valid stored event', () => {
    fc.assert(
      fc.property(config, url, record, verdict, (c, u, r, v) =>
        expectValid(attemptedEvent('comm-1', refOf(c, u), r, v, stamp)),
      ),
      { numRuns: 300 },
    );
  });

  it('given any last error and status, then CallbackFailed is a valid stored event', () => {
    fc.assert(
      fc.property(
        config,
        url,
        fc.integer({ min: 1, max: 100 }),
        error,
        fc.oneof(fc.constant(null), fc.integer({ min: -1000, max: 100_000 })),
        fc.constantFrom(null, 'e0000000-0000-4000-8000-000000000004'),
        (c, u, attempts, e, status, since) =>
          expectValid(failedEvent('comm-1', refOf(c, u), attempts, e, status, since, stamp)),
      ),
      { numRuns: 200 },
    );
  });

  it('given either reason, then CallbackCancelled is a valid stored event', () => {
    fc.assert(
      fc.property(
        config,
        url,
        fc.integer({ min: 0, max: 100 }),
        fc.constantFrom('communication-disabled' as const, 'callback-not-configured' as const),
        (c, u, attempts, reason) =>
          expectValid(cancelledEvent('comm-1', refOf(c, u), attempts, reason, stamp)),
      ),
      { numRuns: 100 },
    );
  });
});
