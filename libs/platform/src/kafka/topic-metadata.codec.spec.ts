import {
  decodeMetadataResponse,
  encodeMetadataRequest,
  kafkaUuid,
  ZERO_TOPIC_ID,
} from './topic-metadata.codec';

/** Builds a flexible-version Metadata response body the way a broker does. */
function responseBody(
  version: number,
  o: {
    clusterId: string | null;
    topics: { errorCode: number; name: string; id: Buffer; partitions: number }[];
    brokerTag?: boolean;
  },
): Buffer {
  const parts: Buffer[] = [];
  const uvarint = (v: number) => {
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
    parts.push(Buffer.from(out));
  };
  const int = (v: number, size: 1 | 2 | 4) => {
    const b = Buffer.alloc(size);
    if (size === 4) b.writeInt32BE(v);
    else if (size === 2) b.writeInt16BE(v);
    else b.writeInt8(v);
    parts.push(b);
  };
  const str = (s: string | null) => {
    if (s === null) return uvarint(0);
    uvarint(Buffer.byteLength(s) + 1);
    parts.push(Buffer.from(s));
  };
  uvarint(0); // response header tagged fields
  int(0, 4); // throttle
  uvarint(2); // one broker
  int(1, 4);
  str('127.0.0.1');
  int(9092, 4);
  str(null);
  if (o.brokerTag) {
    // one unknown tagged field: tag 7, 3 bytes
    uvarint(1);
    uvarint(7);
    uvarint(3);
    parts.push(Buffer.from([1, 2, 3]));
  } else uvarint(0);
  str(o.clusterId);
  int(1, 4); // controller
  uvarint(o.topics.length + 1);
  for (const t of o.topics) {
    int(t.errorCode, 2);
    str(t.name);
    parts.push(t.id);
    int(0, 1); // is_internal
    uvarint(t.partitions + 1);
    for (let p = 0; p < t.partitions; p++) {
      int(0, 2);
      int(p, 4);
      int(1, 4);
      int(0, 4);
      for (let a = 0; a < 3; a++) {
        uvarint(a === 2 ? 1 : 2);
        if (a < 2) int(1, 4);
      }
      uvarint(0);
    }
    int(-2147483648, 4); // topic_authorized_operations
    uvarint(0);
  }
  if (version === 10) int(-2147483648, 4); // cluster_authorized_operations
  uvarint(0);
  return Buffer.concat(parts);
}

describe('Metadata v10–v12 codec', () => {
  const id = Buffer.from('8d18fd39219a4eb1aee7f32bd2c63d3a', 'hex');

  it('spells a topic id the way Kafka prints it (URL-safe base64, no padding)', () => {
    expect(kafkaUuid(id)).toBe('jRj9OSGaTrGu5_Mr0sY9Og');
    expect(ZERO_TOPIC_ID).toBe('AAAAAAAAAAAAAAAAAAAAAA');
  });

  it('asks for one topic by name with a zero topic id and no auto-creation', () => {
    const sut = encodeMetadataRequest('callbacks.log', 12);
    const name = Buffer.from('callbacks.log');
    expect(sut).toEqual(
      Buffer.concat([
        Buffer.from([0, 2]), // header tags, one topic
        Buffer.alloc(16),
        Buffer.from([name.length + 1]),
        name,
        Buffer.from([0, 0, 0, 0]), // topic tags, auto-create, topic ops, tags
      ]),
    );
  });

  it('adds the cluster-operations flag that only v10 has', () => {
    expect(encodeMetadataRequest('t', 10).length).toBe(encodeMetadataRequest('t', 11).length + 1);
  });

  it.each([10, 11, 12])('reads the cluster id, topic id and partition count of a v%i answer', (version) => {
    const body = responseBody(version, {
      clusterId: '7bFgdkPBQKuBawGj2KG_sw',
      topics: [{ errorCode: 0, name: 'callbacks.log', id, partitions: 3 }],
      brokerTag: true,
    });
    expect(decodeMetadataResponse(body, version)).toEqual({
      clusterId: '7bFgdkPBQKuBawGj2KG_sw',
      topics: [{ errorCode: 0, name: 'callbacks.log', topicId: 'jRj9OSGaTrGu5_Mr0sY9Og', partitions: 3 }],
    });
  });

  it('reports a missing topic by its error code', () => {
    const body = responseBody(12, {
      clusterId: 'c',
      topics: [{ errorCode: 3, name: 'gone', id: Buffer.alloc(16), partitions: 0 }],
    });
    expect(decodeMetadataResponse(body, 12).topics[0]).toMatchObject({
      errorCode: 3,
      topicId: ZERO_TOPIC_ID,
    });
  });

  it('throws on a truncated answer instead of inventing an id', () => {
    const body = responseBody(12, {
      clusterId: 'c',
      topics: [{ errorCode: 0, name: 't', id, partitions: 1 }],
    });
    expect(() => decodeMetadataResponse(body.subarray(0, body.length - 30), 12)).toThrow(/truncated/);
  });

  it('refuses versions without topic ids or with a layout it does not know', () => {
    expect(() => encodeMetadataRequest('t', 9)).toThrow(RangeError);
    expect(() => decodeMetadataResponse(Buffer.alloc(0), 13)).toThrow(RangeError);
  });
});
