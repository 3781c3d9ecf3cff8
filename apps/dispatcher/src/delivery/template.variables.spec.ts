import type { CommunicationConfigured, LogEventOf } from '@app/contracts';
import type { TriggeringEvent } from '../domain/triggering.event';
import { stringifyValue, variablesFor } from './template.variables';

const MESSAGE_ID = '6f1c1d52-8b7e-4c8a-9a43-0d3c4b1f2e10';

const config = (environment: CommunicationConfigured['environment']): CommunicationConfigured => ({
  campaignId: 'camp-1',
  campaignMode: 'production',
  environment,
  callbacks: [],
  notificationList: [],
});

const envelope = {
  id: 'a4c1e0a8-6b55-4f4e-9d55-1f1f6a3b2c01',
  version: 1,
  occurredAt: '2026-01-01T00:00:00Z',
};

const messageSent = (memberAttributes: Record<string, unknown>): TriggeringEvent =>
  ({
    ...envelope,
    type: 'MessageSent',
    communicationId: 'comm-1',
    data: { messageId: MESSAGE_ID, batchId: 'batch-1', memberAttributes },
  }) satisfies LogEventOf<'MessageSent'>;

const statusChanged: LogEventOf<'MessageDeliveryStatusChanged'> = {
  ...envelope,
  type: 'MessageDeliveryStatusChanged',
  communicationId: 'comm-1',
  data: {
    messageId: MESSAGE_ID,
    batchId: 'batch-1',
    memberAttributes: { phone: '+15550100' },
    channel: 'sms',
    status: 'delivered',
    previousStatus: 'sent',
    errorCode: null,
  },
};

const completed: LogEventOf<'CommunicationCompleted'> = {
  ...envelope,
  type: 'CommunicationCompleted',
  communicationId: 'comm-1',
  data: { batchId: 'batch-9', status: 'COMPLETE', messageCount: 3 },
};

describe('template variables', () => {
  it('offers member attributes, environment, batchId, communicationId and id for a message event', () => {
    const vars = variablesFor(messageSent({ studentId: 'S-1' }), config({ appHost: 'apps.example.edu' }));
    expect(Object.fromEntries(vars)).toEqual({
      appHost: 'apps.example.edu',
      studentId: 'S-1',
      batchId: 'batch-1',
      communicationId: 'comm-1',
      id: MESSAGE_ID,
    });
  });

  it('keeps the member id as ${id} and moves the message UUID to ${memberId} when the member has an id', () => {
    const vars = variablesFor(messageSent({ id: 'member-42' }), config({}));
    expect(vars.get('id')).toBe('member-42');
    expect(vars.get('memberId')).toBe(MESSAGE_ID);
  });

  it('does not offer ${memberId} when the member has no id, but keeps a member attribute of that name', () => {
    expect(variablesFor(messageSent({}), config({})).has('memberId')).toBe(false);
    expect(variablesFor(messageSent({ memberId: 'm-7' }), config({})).get('memberId')).toBe('m-7');
  });

  it('lets the system ${memberId} win over a member attribute of that name when the member has an id', () => {
    const vars = variablesFor(messageSent({ id: 'member-42', memberId: 'm-7' }), config({}));
    expect(vars.get('memberId')).toBe(MESSAGE_ID);
  });

  it('lets system variables win over member attributes and environment variables', () => {
    const vars = variablesFor(
      messageSent({ batchId: 'member-batch', communicationId: 'member-comm' }),
      config({ batchId: 'env-batch', communicationId: 'env-comm', id: 'env-id' }),
    );
    expect(vars.get('batchId')).toBe('batch-1');
    expect(vars.get('communicationId')).toBe('comm-1');
    expect(vars.get('id')).toBe(MESSAGE_ID);
  });

  it('lets member attributes win over environment variables', () => {
    const vars = variablesFor(messageSent({ region: 'member' }), config({ region: 'env', other: 'env' }));
    expect(vars.get('region')).toBe('member');
    expect(vars.get('other')).toBe('env');
  });

  it('offers member attributes for every message event type', () => {
    expect(variablesFor(statusChanged, config({})).get('phone')).toBe('+15550100');
    expect(variablesFor(statusChanged, config({})).get('id')).toBe(MESSAGE_ID);
  });

  it('offers only environment, batchId and communicationId for CommunicationCompleted', () => {
    const vars = variablesFor(completed, config({ appHost: 'h', id: 'env-id' }));
    expect(Object.fromEntries(vars)).toEqual({
      appHost: 'h',
      id: 'env-id',
      batchId: 'batch-9',
      communicationId: 'comm-1',
    });
  });

  it('stringifies numbers and booleans and turns null into the empty string', () => {
    const vars = variablesFor(
      messageSent({ n: 42, f: 1.5, t: true, no: false, nil: null }),
      config({ e: 0 }),
    );
    expect([
      vars.get('n'),
      vars.get('f'),
      vars.get('t'),
      vars.get('no'),
      vars.get('nil'),
      vars.get('e'),
    ]).toEqual(['42', '1.5', 'true', 'false', '', '0']);
    expect(stringifyValue(-0.25)).toBe('-0.25');
  });

  it('treats an attribute named like an Object prototype member as plain data', () => {
    const vars = variablesFor(messageSent({ constructor: 'c', toString: 's' }), config({}));
    expect(vars.get('constructor')).toBe('c');
    expect(vars.get('toString')).toBe('s');
    expect(variablesFor(messageSent({}), config({})).has('constructor')).toBe(false);
  });

  it('offers only the member attributes that can be a ${name} with a scalar value; the rest is not a variable', () => {
    const vars = variablesFor(
      messageSent({
        'Student ID': 'S-1',
        '1stName': 'Ada',
        courses: ['MATH101'],
        address: { city: 'Lyon' },
        ['x'.repeat(129)]: 'too long a name',
        studentId: 'S-1',
      }),
      config({}),
    );
    expect([...vars.keys()].sort()).toEqual(['batchId', 'communicationId', 'id', 'studentId']);
  });
});
