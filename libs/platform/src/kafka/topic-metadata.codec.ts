/**
 * The one Kafka request kafkajs 2.2.4 cannot make for us: Metadata v10+ (KIP-516), the first
 * version whose answer carries topic ids. kafkajs speaks Metadata v0–v6 only, which report the
 * cluster id but not the topic id. Pure encoding and decoding, no I/O.
 *
 * Versions 10 to 12 are "flexible": compact strings and arrays (unsigned varint length + 1) and
 * tagged fields. kafkajs writes the request header's fixed part (api key, version, correlation
 * id, client id); the body starts with the header's empty tagged-field section, and the response
 * body starts with the response header's.
 */

export const METADATA_API_KEY = 3;
/** Topic ids appear in Metadata v10 (Kafka 2.8); v12 is the newest layout read here. */
export const TOPIC_ID_MIN_VERSION = 10;
export const TOPIC_ID_MAX_VERSION = 12;

/** Kafka error codes that matter for one topic's metadata. */
export const KAFKA_ERRORS = {
  none: 0,
  unknownTopicOrPartition: 3,
  leaderNotAvailable: 5,
  topicAuthorizationFailed: 29,
} as const;

export interface TopicMetadata {
  name: string | null;
  errorCode: number;
  /** Kafka's own spelling: URL-safe base64 of the 16 bytes, no padding (as `kafka-topics.sh` prints). */
  topicId: string;
  partitions: number;
}

export interface MetadataAnswer {
  clusterId: string | null;
  topics: TopicMetadata[];
}

/** The id Kafka uses for "no topic id" (brokers that do not assign them). */
export const ZERO_TOPIC_ID = kafkaUuid(Buffer.alloc(16));

export function kafkaUuid(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** The request body for one topic, by name; `version` is 10, 11 or 12. */
export function encodeMetadataRequest(topic: string, version: number): Buffer {
  checkVersion(version);
  const w = new Writer();
  w.uvarint(0); // request header v2: no tagged fields
  w.uvarint(1 + 1); // topics: one
  w.bytes(Buffer.alloc(16)); // topic_id: zero, we ask by name
  w.compactString(topic);
  w.uvarint(0);
  w.bool(false); // allow_auto_topic_creation
  if (version === 10) w.bool(false); // include_cluster_authorized_operations (gone in v11)
  w.bool(false); // include_topic_authorized_operations
  w.uvarint(0);
  return w.done();
}

/** Decodes a Metadata v10–v12 response body (what follows the correlation id). */
export function decodeMetadataResponse(body: Buffer, version: number): MetadataAnswer {
  checkVersion(version);
  const r = new Reader(body);
  r.taggedFields(); // response header v1
  r.int32(); // throttle_time_ms
  r.compactArray(() => {
    r.int32(); // node_id
    r.compactString(); // host
    r.int32(); // port
    r.compactString(); // rack
    r.taggedFields();
  });
  const clusterId = r.compactString();
  r.int32(); // controller_id
  const topics = r.compactArray((): TopicMetadata => {
    const errorCode = r.int16();
    const name = r.compactString();
    const topicId = kafkaUuid(r.bytes(16));
    r.bool(); // is_internal
    const partitions = r.compactArray(() => {
      r.int16(); // error_code
      r.int32(); // partition_index
      r.int32(); // leader_id
      r.int32(); // leader_epoch
      for (let i = 0; i < 3; i++) r.compactArray(() => r.int32()); // replicas, isr, offline
      r.taggedFields();
    });
    r.int32(); // topic_authorized_operations
    r.taggedFields();
    return { name, errorCode, topicId, partitions: partitions.length };
  });
  return { clusterId, topics };
}

function checkVersion(version: number): void {
  if (!Number.isInteger(version) || version < TOPIC_ID_MIN_VERSION || version > TOPIC_ID_MAX_VERSION)
    throw new RangeError(`Metadata v${version} is not supported here (v10 to v12)`);
}

class Writer {
  private readonly parts: Buffer[] = [];

  uvarint(value: number): void {
    const out: number[] = [];
    let v = value >>> 0;
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
    this.parts.push(Buffer.from(out));
  }

  bool(value: boolean): void {
    this.parts.push(Buffer.from([value ? 1 : 0]));
  }

  bytes(value: Buffer): void {
    this.parts.push(value);
  }

  compactString(value: string): void {
    const b = Buffer.from(value, 'utf8');
    this.uvarint(b.length + 1);
    this.parts.push(b);
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads flexible-version fields; any read past the end throws (a truncated or foreign answer). */
class Reader {
  private at = 0;

  constructor(private readonly b: Buffer) {}

  private need(n: number): void {
    if (this.at + n > this.b.length)
      throw new RangeError(`metadata response truncated at byte ${this.at} (needs ${n} more)`);
  }

  int16(): number {
    this.need(2);
    const v = this.b.readInt16BE(this.at);
    this.at += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.b.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  bool(): boolean {
    this.need(1);
    return this.b[this.at++] !== 0;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const v = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }

  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1);
      const byte = this.b[this.at++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new RangeError('unsigned varint longer than 5 bytes');
  }

  /** Compact nullable string: length + 1, 0 = null. */
  compactString(): string | null {
    const n = this.uvarint();
    return n === 0 ? null : this.bytes(n - 1).toString('utf8');
  }

  /** Compact nullable array: length + 1, 0 = null (read as empty). */
  compactArray<T>(item: () => T): T[] {
    const n = this.uvarint();
    const out: T[] = [];
    for (let i = 0; i < n - 1; i++) out.push(item());
    return out;
  }

  taggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint(); // tag
      this.bytes(this.uvarint());
    }
  }
}
