import { logRecordOf } from './log.record';
import { LOG_HEADERS } from './topics';
import type { LogEvent } from './validate';

const event = {
  id: '00000000-0000-4000-8000-000000000001',
  type: 'CommunicationDisabled',
  version: 1,
  occurredAt: '2026-01-01T00:00:00Z',
  communicationId: 'comm-1',
  data: {},
} as unknown as LogEvent;

describe('logRecordOf', () => {
  it('given an event, then the record is keyed by its communication, so its events stay in order', () => {
    expect(logRecordOf(event).key).toBe('comm-1');
  });

  it('given an event, then the value is the event as JSON and the headers name id, type and version', () => {
    const sut = logRecordOf(event);
    expect(JSON.parse(sut.value.toString('utf8'))).toEqual(event);
    expect(sut.headers).toEqual({
      [LOG_HEADERS.eventId]: event.id,
      [LOG_HEADERS.type]: 'CommunicationDisabled',
      [LOG_HEADERS.version]: '1',
    });
  });
});
