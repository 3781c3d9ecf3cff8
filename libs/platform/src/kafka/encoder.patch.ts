/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's internal module, patched by its cache entry */

/**
 * kafkajs 2.2.4 encodes every produced record, and every header of it, into a `new Encoder()`
 * whose buffer is a fresh zero-filled 512 bytes (`Buffer.alloc`), grown by another zero-filled
 * allocation and a copy when the value is longer, and it writes each variable-length integer
 * through a temporary array and `Buffer.from`. In ingest's CPU profile that encoding was a fifth
 * of the service's time (docs/profiles/ingest-benchmark-1.svg, decision 0757).
 *
 * The pooled encoder below produces the same bytes — its spec compares it with kafkajs's own on
 * random operation sequences — but takes its buffers from Node's pool (`Buffer.allocUnsafe`) and
 * writes varints in place. `allocUnsafe` is safe here because an Encoder only ever exposes
 * `buf.slice(0, offset)` and every write method fills each byte it moves `offset` over (the spec's
 * comparison would show a stray byte as a difference).
 *
 * kafkajs's protocol modules bind `Encoder` when they load, so this must load first, like
 * send-messages.patch.ts: `kafka.client.ts` imports it before kafkajs, and a service refuses to
 * start if it loaded late. (Under jest, a test file has usually loaded kafkajs first; the patch
 * changes speed only, never bytes.)
 */

/** The part of kafkajs's Encoder this patch relies on. */
export interface KafkaEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  ensureAvailable(length: number): void;
  writeUVarInt(value: number): KafkaEncoder;
  writeVarInt(value: number): KafkaEncoder;
  writeVarLong(value: unknown): KafkaEncoder;
  [method: string]: unknown;
}
export interface KafkaEncoderClass {
  new (initialSize?: number): KafkaEncoder;
  prototype: KafkaEncoder;
  nextPowerOfTwo(value: number): number;
  encodeZigZag(value: number): number;
}

const ENCODER = require.resolve('kafkajs/src/protocol/encoder');

/** kafkajs's Encoder with pooled buffers and in-place varints (exported for its spec). */
export function pooledEncoder(
  Original: KafkaEncoderClass,
  allocate: (size: number) => Buffer = Buffer.allocUnsafe,
): KafkaEncoderClass {
  // A plain constructor function whose prototype inherits the class's: `new` then never runs the
  // original constructor (and its zero-filled allocation), yet `instanceof` and the static
  // helpers (`Encoder.sizeOfVarInt`, ...) behave as before.
  function PooledEncoder(this: KafkaEncoder, initialSize = 511) {
    this.buf = allocate(Original.nextPowerOfTwo(initialSize));
    this.offset = 0;
  }
  Object.setPrototypeOf(PooledEncoder, Original);
  const proto = Object.create(Original.prototype) as KafkaEncoder;
  PooledEncoder.prototype = proto;
  Object.defineProperty(proto, 'constructor', { value: PooledEncoder, writable: true, configurable: true });

  proto.ensureAvailable = function ensureAvailable(this: KafkaEncoder, length: number) {
    if (this.offset + length <= this.buf.length) return;
    const grown = allocate(Original.nextPowerOfTwo(this.offset + length));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  };

  // kafkajs's loop, writing into the buffer instead of an array: `& 0xffffff80` and `>>>= 7` read
  // the value as an unsigned 32-bit integer, so at most five bytes.
  proto.writeUVarInt = function writeUVarInt(this: KafkaEncoder, value: number) {
    this.ensureAvailable(5);
    const buf = this.buf;
    let offset = this.offset;
    while ((value & 0xffffff80) !== 0) {
      buf[offset++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[offset++] = value & 0x7f;
    this.offset = offset;
    return this;
  };

  // A record's timestamp delta is a small number; its 64-bit zigzag then has the same bytes as the
  // 32-bit one. Anything else (a Long, a string, a larger number) takes kafkajs's own path.
  const writeVarLong = Original.prototype.writeVarLong;
  proto.writeVarLong = function writeVarLongPooled(this: KafkaEncoder, value: unknown) {
    if (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff)
      return this.writeUVarInt(Original.encodeZigZag(value));
    return writeVarLong.call(this, value);
  };

  return PooledEncoder as unknown as KafkaEncoderClass;
}

const cache = require.cache as Record<string, { exports: unknown } | undefined>;
// Whoever loaded the module before this file has bound kafkajs's own class already.
const late = cache[ENCODER] !== undefined;
if (late && process.env.JEST_WORKER_ID === undefined)
  throw new Error('encoder.patch must load before kafkajs (import @app/platform first)');
const original = require(ENCODER) as KafkaEncoderClass;
const entry = cache[ENCODER];
if (entry && !late) entry.exports = pooledEncoder(original);
