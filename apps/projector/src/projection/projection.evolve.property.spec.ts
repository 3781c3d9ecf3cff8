import fc from 'fast-check';
import { callbackIdOf, validateEvent, type LogEvent } from '@app/contracts';
import { fakeSealed } from '@app/contracts/example-events.fixture';
import {
  evolve,
  type PositionedEvent,
  type ProjectionChanges,
  type ProjectionState,
} from './projection.evolve';

/**
 * Property: any valid sequence of log events, applied a second time over the rows the first
 * application produced, changes nothing: the same rows, and no append-only row that was not
 * already written. This is what makes a redelivered chunk (or a checkpoint reset) harmless.
 */

const COMMS = ['comm-a', 'comm-b'];
const MESSAGES = [
  '00000000-0000-4000-8000-000000000001',
  '00000000-0000-4000-8000-000000000002',
  '00000000-0000-4000-8000-000000000003',
];
const CONFIGS = ['cb-sent', 'cb-problem', 'cb-status', 'cb-done'] as const;
/** Any well-formed sealed value: the projection only notes that there is one. */
const SEALED = fakeSealed();
const TRIGGERS = [
  'MessageSent',
  'MessageDeliveryProblem',
  'MessageDeliveryStatusChanged',
  'CommunicationCompleted',
] as const;

/** Text as hostile as the log may hold (internal events are not held to the producers' text rules). */
const text = fc.string({ unit: 'binary', maxLength: 12 });
const instant = fc
  .integer({ min: 0, max: 3_600 })
  .map((s) => new Date(Date.UTC(2026, 10, 27, 10) + s * 1000).toISOString());

/** One event; callback events refer to triggers by index into the events generated so far. */
const step = fc.record({
  kind: fc.constantFrom(
    'configured',
    'message',
    'message',
    'completed',
    'attempted',
    'attempted',
    'failed',
    'cancelled',
    'disabled',
    'enabled',
  ),
  comm: fc.constantFrom(...COMMS),
  message: fc.constantFrom(...MESSAGES),
  trigger: fc.constantFrom(...TRIGGERS.slice(0, 3)),
  configs: fc.subarray([...CONFIGS.keys()], { minLength: 0 }),
  pick: fc.nat(),
  attempt: fc.integer({ min: 1, max: 4 }),
  outcome: fc.constantFrom('succeeded', 'retrying', 'failed'),
  statusCode: fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }),
  snippet: fc.option(text, { nil: null }),
  text,
  at: instant,
  attributes: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
});

function toEvent(s: StepValue, earlier: LogEvent[]): LogEvent {
  // Ids are unique on the log (ingest de-duplicates, the dispatcher draws random ones).
  const id = `00000000-0000-4000-8000-${String(earlier.length).padStart(12, '0')}`;
  const base = { id, version: 1, occurredAt: s.at, communicationId: s.comm };
  const data = { messageId: s.message, batchId: `batch-${s.comm}`, memberAttributes: s.attributes };
  const triggers = earlier.filter(
    (e) => e.communicationId === s.comm && (TRIGGERS as readonly string[]).includes(e.type),
  );
  const trigger = triggers[s.pick % Math.max(1, triggers.length)];
  if ((s.kind === 'attempted' || s.kind === 'failed' || s.kind === 'cancelled') && trigger) {
    const config = CONFIGS[TRIGGERS.indexOf(trigger.type as (typeof TRIGGERS)[number])];
    const ref = {
      callbackId: callbackIdOf(trigger.id, config),
      callbackConfigId: config,
      triggerEventId: trigger.id,
      triggerType: trigger.type as (typeof TRIGGERS)[number],
      messageId: 'messageId' in trigger.data ? (trigger.data.messageId as string) : null,
      method: 'GET' as const,
      url: s.snippet === null ? null : `https://h.example/${encodeURIComponent(s.text)}`,
    };
    const error = s.outcome === 'succeeded' ? null : { kind: 'status' as const, message: s.text };
    if (s.kind === 'attempted')
      return {
        ...base,
        type: 'CallbackAttempted',
        data: {
          ...ref,
          attempt: s.attempt,
          startedAt: s.at,
          durationMs: 5,
          statusCode: s.statusCode,
          error,
          responseSnippet: s.snippet,
          outcome: s.outcome,
          nextAttemptAt: s.outcome === 'retrying' ? s.at : null,
        },
      };
    if (s.kind === 'failed')
      return {
        ...base,
        type: 'CallbackFailed',
        data: {
          ...ref,
          attempts: s.attempt,
          reason: { kind: 'status', message: s.text },
          lastStatusCode: s.statusCode,
        },
      };
    return {
      ...base,
      type: 'CallbackCancelled',
      data: { ...ref, attempts: s.attempt - 1, reason: 'communication-disabled' },
    };
  }
  switch (s.kind) {
    case 'configured':
      return {
        ...base,
        type: 'CommunicationConfigured',
        data: {
          campaignId: 'camp-1',
          campaignMode: 'production',
          environment: { base: 'x' },
          callbacks: s.configs.map((i: number) => ({
            id: CONFIGS[i],
            event: TRIGGERS[i],
            method: 'GET' as const,
            url: 'https://user:pw@h.example/${id}',
            ...(i === 0 && { credentials: { type: 'basic' as const, username: 'u', password: SEALED } }),
          })),
          notificationList: ['ops@example.test', 'Ops@Example.test'],
        },
      };
    case 'completed':
      return {
        ...base,
        type: 'CommunicationCompleted',
        data: { batchId: `batch-${s.comm}`, status: 'COMPLETE', messageCount: 3 },
      };
    case 'disabled':
      return {
        ...base,
        type: 'CommunicationDisabled',
        data: { callbackId: null, causeEventId: null, reason: s.text, by: 'operator' },
      };
    case 'enabled':
      return { ...base, type: 'CommunicationEnabled', data: { by: 'operator', reason: `r${s.text}` } };
    default:
      if (s.trigger === 'MessageSent') return { ...base, type: 'MessageSent', data };
      if (s.trigger === 'MessageDeliveryProblem')
        return {
          ...base,
          type: 'MessageDeliveryProblem',
          data: { ...data, problem: { stage: 'delivery', description: s.text } },
        };
      return {
        ...base,
        type: 'MessageDeliveryStatusChanged',
        data: { ...data, channel: 'sms', status: 'delivered', previousStatus: 'sent', errorCode: null },
      };
  }
}
type StepValue = typeof step extends fc.Arbitrary<infer T> ? T : never;

const sequence = fc.array(step, { minLength: 1, maxLength: 30 }).map((steps) => {
  const events: LogEvent[] = [];
  for (const s of steps) events.push(toEvent(s, events));
  return events.map((event, i): PositionedEvent => ({
    event,
    position: { partition: 0, offset: String(i), timestamp: '0' },
  }));
});

const empty = (): ProjectionState => ({
  communications: new Map(),
  messages: new Map(),
  batches: new Map(),
  callbacks: new Map(),
  recoveries: new Map(),
});

/** The rows after `changes`: mutable tables upserted over `state`. */
const merged = (state: ProjectionState, changes: ProjectionChanges): ProjectionState => ({
  communications: new Map([...state.communications, ...changes.communications]),
  messages: new Map([...state.messages, ...changes.messages]),
  batches: new Map([...state.batches, ...changes.batches]),
  callbacks: new Map([...state.callbacks, ...changes.callbacks]),
  recoveries: new Map([...state.recoveries, ...changes.recoveries]),
});

const keysOfAppended = (c: ProjectionChanges) => ({
  attempts: new Set(c.attempts.map((r) => r.eventId)),
  deliveryStatuses: new Set(c.deliveryStatuses.map((r) => r.eventId)),
  outboxEvents: new Set(c.outboxEvents.map((r) => r.eventId)),
  emails: new Set(c.emails.map((r) => r.emailId)),
  batchMembers: new Map(c.batchMembers),
});

describe('projection, property: applied twice = applied once', () => {
  it('generates valid stored events', () => {
    fc.assert(
      fc.property(sequence, (events) => {
        for (const { event } of events) expect(validateEvent(event, 'stored')).toMatchObject({ ok: true });
      }),
      { numRuns: 100 },
    );
  });

  it('leaves every row as it was and appends nothing new the second time', () => {
    fc.assert(
      fc.property(sequence, (events) => {
        const first = evolve(empty(), events, { mode: 'live' });
        const once = merged(empty(), first);
        const second = evolve(once, events, { mode: 'live' });
        const twice = merged(once, second);
        expect(twice).toEqual(once);
        const before = keysOfAppended(first);
        const again = keysOfAppended(second);
        for (const table of ['attempts', 'deliveryStatuses', 'outboxEvents', 'emails'] as const) {
          for (const key of again[table]) expect(before[table]).toContain(key);
        }
        expect(again.batchMembers).toEqual(before.batchMembers);
      }),
      { numRuns: 500 },
    );
  });
});
