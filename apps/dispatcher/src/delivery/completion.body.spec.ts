import type { LogEventOf } from '@app/contracts';
import { completionBody } from './completion.body';

const event: LogEventOf<'CommunicationCompleted'> = {
  id: 'a4c1e0a8-6b55-4f4e-9d55-1f1f6a3b2c01',
  type: 'CommunicationCompleted',
  version: 1,
  occurredAt: '2026-01-01T00:00:00Z',
  communicationId: 'comm-1',
  data: { batchId: 'batch:7', status: 'COMPLETE', messageCount: 10 },
};

describe('completion body', () => {
  it('references the communication, the batch and the batch resource', () => {
    expect(JSON.parse(completionBody(event, 'https://callbacks.example.com'))).toEqual({
      communicationId: 'comm-1',
      batchId: 'batch:7',
      batchUrl: 'https://callbacks.example.com/v1/batches/batch%3A7',
    });
  });

  it('ignores trailing slashes on the public base URL and keeps a base path', () => {
    const body = JSON.parse(completionBody(event, 'https://example.com/dispatch//'));
    expect(body.batchUrl).toBe('https://example.com/dispatch/v1/batches/batch%3A7');
  });
});
