/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's internal modules, loaded before the patch */
import fc from 'fast-check';

// kafkajs's own class, loaded before the patch module (which then leaves it alone).
const Original = require('kafkajs/src/protocol/encoder') as KafkaEncoderClass;
const Header = require('kafkajs/src/protocol/recordBatch/header/v0') as (h: {
  key: string;
  value: Buffer | string | null;
}) => KafkaEncoder;

import { pooledEncoder, type KafkaEncoder, type KafkaEncoderClass } from './encoder.patch';

/**
 * The pooled encoder writes exactly kafkajs's bytes. Its buffers come from an allocator that
 * fills them with 0xa5 here, so a byte it exposed without writing would show as a difference.
 */
const Pooled = pooledEncoder(Original, (size) => Buffer.alloc(size, 0xa5));

type Op = (e: KafkaEncoder) => unknown;
const call =
  (method: string, ...args: unknown[]): Op =>
  (e) =>
    (e[method] as (...a: unknown[]) => unknown).apply(e, args);

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
);
const bytes = fc.uint8Array({ maxLength: 1500 }).map((a) => Buffer.from(a));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.integer({ min: -128, max: 127 }).map((v) => call('writeInt8', v)),
  fc.integer({ min: -32768, max: 32767 }).map((v) => call('writeInt16', v)),
  int32.map((v) => call('writeInt32', v)),
  fc.integer({ min: 0, max: 0xffffffff }).map((v) => call('writeUInt32', v)),
  fc.oneof(int32, fc.maxSafeInteger()).map((v) => call('writeInt64', v)),
  fc.boolean().map((v) => call('writeBoolean', v)),
  fc.option(text).map((v) => call('writeString', v)),
  fc.option(text).map((v) => call('writeVarIntString', v)),
  fc.option(text).map((v) => call('writeUVarIntString', v)),
  fc.option(fc.oneof(bytes, text)).map((v) => call('writeBytes', v)),
  fc.option(fc.oneof(bytes, text)).map((v) => call('writeVarIntBytes', v)),
  fc.option(fc.oneof(bytes, text)).map((v) => call('writeUVarIntBytes', v)),
  int32.map((v) => call('writeVarInt', v)),
  fc.oneof(int32, fc.integer({ min: 0, max: 0xffffffff })).map((v) => call('writeUVarInt', v)),
  fc
    .oneof(int32, fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String))
    .map((v) => call('writeVarLong', v)),
  fc.array(text, { maxLength: 4 }).map((v) => call('writeArray', v, 'string')),
  fc.array(int32, { maxLength: 4 }).map((v) => call('writeArray', v, 'int32')),
);

function encode(Encoder: KafkaEncoderClass, initialSize: number | undefined, ops: Op[]): Buffer {
  const encoder = new Encoder(initialSize);
  for (const o of ops) o(encoder);
  // Nested encoders too, as a record batch holds its records.
  const outer = new Encoder();
  call('writeInt32', 7)(outer);
  call('writeEncoder', encoder)(outer);
  return outer.buffer;
}

describe('the pooled kafkajs encoder', () => {
  it('writes the same bytes as kafkajs for any sequence of writes', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 1, max: 4096 }), { nil: undefined }),
        fc.array(op, { maxLength: 30 }),
        (size, ops) => {
          expect(encode(Pooled, size, ops).equals(encode(Original, size, ops))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps what callers of the class rely on: instanceof, static helpers, the constructor', () => {
    const e = new Pooled();
    expect(e).toBeInstanceOf(Original);
    expect(e.constructor).toBe(Pooled);
    expect((Pooled as unknown as { sizeOfVarInt(v: number): number }).sizeOfVarInt(300)).toBe(2);
    expect(e.buf.length).toBe(512);
  });

  it("encodes a record header as kafkajs's header module does", () => {
    fc.assert(
      fc.property(text, fc.option(fc.oneof(bytes, text)), (key, value) => {
        const ours = new Pooled();
        call('writeVarIntString', key)(ours);
        call('writeVarIntBytes', value)(ours);
        expect(ours.buffer.equals(Header({ key, value }).buffer)).toBe(true);
      }),
    );
  });
});
