import { exampleFiles, exampleOf } from './example-events.fixture';
import { INBOUND_EVENT_TYPES } from './registry';
import { CALLBACK_EVENT_TYPES, isMessageEventType } from './events/shared';
import { decodeEvent, validateEvent } from './validate';

/**
 * The files in examples/events are documentation that producers copy, and fixtures other tests send
 * through the services, so they must be valid and tell one consistent story.
 */
describe('example events', () => {
  const examples = exampleFiles();

  it('has exactly one example of each inbound type, named after it', () => {
    expect(examples.map((e) => e.value.type).sort()).toEqual([...INBOUND_EVENT_TYPES].sort());
    for (const e of examples) expect(e.file).toMatch(new RegExp(`^\\d{2}-${e.value.type}\\.json$`));
  });

  it.each(examples.map((e) => [e.file, e] as const))(
    '%s is a valid inbound event, from its bytes',
    (_, e) => {
      const sut = decodeEvent(e.bytes, 'inbound');
      expect(sut).toEqual({ ok: true, event: e.value });
    },
  );

  it('belong to one communication, in time order, with distinct event ids', () => {
    const communicationIds = new Set(examples.map((e) => e.value.communicationId));
    expect([...communicationIds]).toEqual(['comm-2026-fall-reminders']);
    expect(new Set(examples.map((e) => e.value.id)).size).toBe(examples.length);
    const times = examples.map((e) => Date.parse(String(e.value.occurredAt)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(times.length);
    expect(examples[0].value.type).toBe('CommunicationConfigured');
  });

  it('puts its messages in one batch, and completion counts them', () => {
    const messages = [
      exampleOf('MessageSent'),
      exampleOf('MessageDeliveryStatusChanged'),
      exampleOf('MessageDeliveryProblem'),
    ];
    const completed = exampleOf('CommunicationCompleted');
    expect(new Set([...messages.map((m) => m.data.batchId), completed.data.batchId]).size).toBe(1);
    expect(new Set(messages.map((m) => m.data.messageId)).size).toBe(messages.length);
    expect(completed.data.messageCount).toBe(messages.length);
  });

  it('covers the cases producers ask about', () => {
    const { data: config } = exampleOf('CommunicationConfigured');
    expect(new Set(config.callbacks.map((c) => c.event))).toEqual(new Set(CALLBACK_EVENT_TYPES));
    expect(config.callbacks.some((c) => c.method === 'GET')).toBe(true);
    expect(config.callbacks.some((c) => c.method === 'POST')).toBe(true);
    expect(config.callbacks.some((c) => c.credentials?.type === 'basic')).toBe(true);
    expect(config.callbacks.some((c) => c.signingSecret?.startsWith('whsec_'))).toBe(true);
    // The member has its own `id`, so `${id}` is that attribute and `${memberId}` the message UUID.
    expect(exampleOf('MessageSent').data.memberAttributes.id).toEqual(expect.any(String));
    const change = exampleOf('MessageDeliveryStatusChanged').data;
    expect(change).toMatchObject({
      channel: 'sms',
      previousStatus: expect.any(String),
      errorCode: expect.any(Number),
    });
  });

  it('uses only example hosts in callback URLs', () => {
    for (const c of exampleOf('CommunicationConfigured').data.callbacks) {
      const host = new URL(c.url.replace(/\$\{[^}]*\}/g, 'x')).hostname;
      expect(host).toMatch(/(^|\.)example\.(edu|com)$/);
    }
  });

  it('configures only URL variables that the triggering example event provides', () => {
    const { data: config, communicationId } = exampleOf('CommunicationConfigured');
    for (const callback of config.callbacks) {
      const trigger = examples.find((e) => e.value.type === callback.event)!;
      const data = validateEvent(trigger.value, 'inbound');
      if (!data.ok) throw new Error(`${trigger.file} is invalid`);
      const available = new Set(['batchId', 'communicationId', ...Object.keys(config.environment)]);
      const d = data.event.data as { memberAttributes?: Record<string, unknown> };
      if (isMessageEventType(callback.event) && d.memberAttributes) {
        Object.keys(d.memberAttributes).forEach((k) => available.add(k));
        available.add('id');
        if ('id' in d.memberAttributes) available.add('memberId');
      }
      const used = [...callback.url.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
      expect(used.length).toBeGreaterThan(0);
      expect({ callback: callback.id, missing: used.filter((u) => !available.has(u)) }).toEqual({
        callback: callback.id,
        missing: [],
      });
      expect(communicationId).toBe(trigger.value.communicationId);
    }
  });
});
