import type { Message } from 'kafkajs';
import { inParts, recordBytes } from './produce.parts';

const record = (bytes: number, headers?: Record<string, string>): Message => ({
  key: 'k',
  value: Buffer.alloc(bytes),
  headers,
});

describe('inParts', () => {
  it('puts records into requests of at most the byte limit, in order, per topic', () => {
    const parts = [
      ...inParts(
        [
          { topic: 'a', messages: [record(400), record(400), record(400)] },
          { topic: 'b', messages: [record(100)] },
        ],
        1000,
      ),
    ];
    expect(parts.map((p) => p.map((t) => `${t.topic}:${t.messages.length}`))).toEqual([
      ['a:2'],
      ['a:1', 'b:1'],
    ]);
  });

  it('gives a record larger than the limit a request of its own', () => {
    const parts = [...inParts([{ topic: 'a', messages: [record(10), record(5000), record(10)] }], 1000)];
    expect(parts.map((p) => p[0].messages.length)).toEqual([1, 1, 1]);
  });

  it('counts headers, which can be most of a dead letter', () => {
    expect(recordBytes(record(10, { 'x-dlq-issues': 'i'.repeat(20_000) }))).toBeGreaterThan(20_000);
  });

  it('splits thousands of small junk records into several requests', () => {
    const messages = Array.from({ length: 3000 }, () => record(1000, { 'x-dlq-code': 'malformed-json' }));
    const parts = [...inParts([{ topic: 'dlq', messages }])];
    expect(parts.length).toBeGreaterThan(4);
    expect(parts.flatMap((p) => p[0].messages)).toHaveLength(3000);
  });
});
