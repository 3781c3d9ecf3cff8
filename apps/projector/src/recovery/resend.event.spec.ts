import { LIMITS } from '@app/contracts';
import { buildResend, type ResendSource } from './resend.event';

const trigger = {
  id: '00000000-0000-4000-8000-000000000001',
  type: 'MessageSent',
  version: 1,
  occurredAt: '2026-11-03T09:00:00.000Z',
  communicationId: 'comm-1',
  data: {
    messageId: '00000000-0000-4000-8000-000000000002',
    batchId: 'b1',
    memberAttributes: { studentId: 's-1' },
  },
};
const source: ResendSource = {
  callbackId: `${trigger.id}.cb`,
  communicationId: 'comm-1',
  callbackConfigId: 'cb',
  method: 'GET',
  attempts: 3,
  trigger,
};
const who = { by: 'jane', reason: 'fixed', adminKey: 'oncall' };
const ids = {
  eventId: '00000000-0000-4000-8000-000000000003',
  occurredAt: '2026-11-03T10:00:00.000Z',
  recoveryId: null,
};

describe('building a resend', () => {
  it('given a failed callback, then it asks for the next attempt number of the same trigger, with who and why', () => {
    const sut = buildResend(source, who, ids);
    expect(sut).toMatchObject({
      ok: true,
      event: {
        type: 'CallbackResendRequested',
        communicationId: 'comm-1',
        data: {
          callbackId: source.callbackId,
          attempt: 4,
          trigger,
          by: 'jane',
          reason: 'fixed',
          adminKey: 'oncall',
        },
      },
    });
  });

  it('given no kept trigger, then it is refused as unavailable', () => {
    expect(buildResend({ ...source, trigger: null }, who, ids)).toMatchObject({
      ok: false,
      code: 'trigger-unavailable',
    });
  });

  it('given a callback with 100 attempts, then it is refused', () => {
    expect(buildResend({ ...source, attempts: 100 }, who, ids)).toMatchObject({
      ok: false,
      code: 'too-many-attempts',
    });
  });

  it('given a trigger so large the resend would not fit an event, then it is refused', () => {
    const big = {
      ...trigger,
      data: { ...trigger.data, memberAttributes: { note: 'x'.repeat(LIMITS.maxValueLength) } },
    };
    const attrs = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`a${i}`, 'x'.repeat(LIMITS.maxValueLength)]),
    );
    big.data.memberAttributes = attrs as never;
    expect(buildResend({ ...source, trigger: big }, who, ids)).toMatchObject({
      ok: false,
      code: 'too-large',
    });
  });
});
