import { exampleOf } from './example-events.fixture';
import { SMS_STATUSES, VOICE_STATUSES } from './events/message.events';
import { Validated, validateEvent } from './validate';

const statusChange = (channel: string, status: string, previousStatus: string | null = null) => {
  const e = exampleOf('MessageDeliveryStatusChanged');
  return { ...e, data: { ...e.data, channel, status, previousStatus } };
};
const pathsOf = (result: Validated<unknown>) =>
  result.ok ? [] : result.rejection.issues.map((i) => i.path).sort();

describe('MessageDeliveryStatusChanged v1: statuses per channel', () => {
  const smsOnly = SMS_STATUSES.filter((s) => !(VOICE_STATUSES as readonly string[]).includes(s));
  const voiceOnly = VOICE_STATUSES.filter((s) => !(SMS_STATUSES as readonly string[]).includes(s));

  it('the lists really differ (otherwise the tests below prove nothing)', () => {
    expect(smsOnly).toEqual(expect.arrayContaining(['sent', 'delivered', 'undelivered']));
    expect(voiceOnly).toEqual(
      expect.arrayContaining(['ringing', 'in-progress', 'completed', 'busy', 'no-answer']),
    );
  });

  it.each(SMS_STATUSES)('sms accepts %s', (status) => {
    expect(validateEvent(statusChange('sms', status, 'queued'), 'inbound').ok).toBe(true);
  });

  it.each(VOICE_STATUSES)('voice accepts %s', (status) => {
    expect(validateEvent(statusChange('voice', status, 'queued'), 'inbound').ok).toBe(true);
  });

  it.each(voiceOnly)('sms refuses the voice status %s', (status) => {
    expect(pathsOf(validateEvent(statusChange('sms', status), 'inbound'))).toEqual(['data.status']);
  });

  it.each(smsOnly)('voice refuses the SMS status %s', (status) => {
    expect(pathsOf(validateEvent(statusChange('voice', status), 'inbound'))).toEqual(['data.status']);
  });

  it('checks previousStatus against the same channel', () => {
    expect(pathsOf(validateEvent(statusChange('voice', 'completed', 'delivered'), 'inbound'))).toEqual([
      'data.previousStatus',
    ]);
  });

  it('accepts null as the previous status of a first report', () => {
    expect(validateEvent(statusChange('sms', 'queued', null), 'inbound').ok).toBe(true);
  });

  it('refuses a channel Twilio does not report on', () => {
    expect(pathsOf(validateEvent(statusChange('email', 'delivered'), 'inbound'))).toEqual(['data.channel']);
  });

  it.each([-1, 1.5, '30003'])('refuses the error code %j', (errorCode) => {
    const e = exampleOf('MessageDeliveryStatusChanged');
    expect(pathsOf(validateEvent({ ...e, data: { ...e.data, errorCode } }, 'inbound'))).toEqual([
      'data.errorCode',
    ]);
  });
});

describe('MessageSent / MessageDeliveryProblem v1', () => {
  it('requires a message UUID', () => {
    const e = exampleOf('MessageSent');
    expect(pathsOf(validateEvent({ ...e, data: { ...e.data, messageId: 'M-1' } }, 'inbound'))).toEqual([
      'data.messageId',
    ]);
  });

  it('refuses an unknown destination', () => {
    const e = exampleOf('MessageSent');
    const event = { ...e, data: { ...e.data, destinations: ['email', 'fax'] } };
    expect(pathsOf(validateEvent(event, 'inbound'))).toEqual(['data.destinations.1']);
  });

  it('refuses a problem stage other than generation or delivery', () => {
    const e = exampleOf('MessageDeliveryProblem');
    const event = { ...e, data: { ...e.data, problem: { ...e.data.problem, stage: 'bounce' } } };
    expect(pathsOf(validateEvent(event, 'inbound'))).toEqual(['data.problem.stage']);
  });
});
