import type { Kafka } from 'kafkajs';
import { LogIdentityError, type LogIdentity } from './log.identity';
import {
  decodeMetadataResponse,
  encodeMetadataRequest,
  KAFKA_ERRORS,
  METADATA_API_KEY,
  TOPIC_ID_MAX_VERSION,
  TOPIC_ID_MIN_VERSION,
  ZERO_TOPIC_ID,
  type MetadataAnswer,
} from './topic-metadata.codec';

/**
 * The parts of kafkajs 2.2.4's internal cluster used here (decision 0640). kafkajs builds one per
 * client with the client's own brokers, TLS, SASL and socket factory, so this request travels
 * exactly as kafkajs's own requests do.
 */
interface InternalBroker {
  versions: Record<number, { minVersion: number; maxVersion: number }> | null;
  connect(): Promise<void>;
  connectionPool: {
    send<T>(request: {
      request: { apiKey: number; apiVersion: number; apiName: string; encode(): Promise<unknown> };
      response: { decode(raw: Buffer): Promise<T>; parse(decoded: T): Promise<T> };
    }): Promise<T>;
  };
}
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  brokerPool: { seedBroker?: InternalBroker };
}
type CreateCluster = (options: { allowAutoTopicCreation: boolean }) => InternalCluster;

const CREATE_CLUSTER = 'private:Kafka:createCluster';
const ATTEMPTS = 3;

function createClusterOf(kafka: Kafka): InternalCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  const create = symbol && (kafka as unknown as Record<symbol, CreateCluster>)[symbol];
  if (typeof create !== 'function') {
    // A kafkajs other than 2.2.4: fail loudly rather than run without the check.
    throw new Error('this kafkajs version does not expose its cluster; topic ids cannot be read');
  }
  return create.call(kafka, { allowAutoTopicCreation: false });
}

/**
 * Reads a log's identity (cluster id + topic id) from the brokers, one Metadata v10–v12 request
 * (about a millisecond on a local network). Keeps one connection for repeated reads; `close()`
 * ends it. Connection problems are retried a few times; a missing topic, a broker that does not
 * know topic ids or a refused request is a `LogIdentityError`.
 */
export class LogIdentityReader {
  private cluster?: InternalCluster;

  constructor(private readonly kafka: Kafka) {}

  async read(topic: string): Promise<LogIdentity> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return identityOf(topic, await this.ask(topic));
      } catch (e) {
        if (e instanceof LogIdentityError || attempt >= ATTEMPTS) throw e;
        // A broker restart or a dropped connection: start over from the bootstrap list, at once
        // the first time (the broker is usually back), then after a pause.
        await this.close();
        await new Promise((r) => setTimeout(r, 200 * (attempt - 1)));
      }
    }
  }

  async close(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = undefined;
    await cluster?.disconnect().catch(() => undefined);
  }

  private async ask(topic: string): Promise<MetadataAnswer> {
    this.cluster ??= createClusterOf(this.kafka);
    await this.cluster.connect();
    const broker = this.cluster.brokerPool.seedBroker;
    if (!broker) throw new Error('no broker connected');
    await broker.connect();
    const max = broker.versions?.[METADATA_API_KEY]?.maxVersion ?? 0;
    if (max < TOPIC_ID_MIN_VERSION) {
      throw new LogIdentityError(
        'no-topic-ids',
        `the broker answers Metadata up to v${max}; topic ids need v${TOPIC_ID_MIN_VERSION} (Kafka 2.8 or later)`,
      );
    }
    const version = Math.min(max, TOPIC_ID_MAX_VERSION);
    const body = encodeMetadataRequest(topic, version);
    return broker.connectionPool.send({
      request: {
        apiKey: METADATA_API_KEY,
        apiVersion: version,
        apiName: 'Metadata',
        // kafkajs accepts anything shaped like its Encoder: the bytes under `buf` and `buffer`.
        encode: async () => ({ buf: body, buffer: body }),
      },
      response: {
        decode: async (raw) => decodeMetadataResponse(raw, version),
        parse: async (answer) => answer,
      },
    });
  }
}

function identityOf(topic: string, answer: MetadataAnswer): LogIdentity {
  const t = answer.topics.find((x) => x.name === topic);
  if (!t || t.errorCode === KAFKA_ERRORS.unknownTopicOrPartition)
    throw new LogIdentityError('topic-not-found', `topic ${topic} does not exist`);
  if (t.errorCode === KAFKA_ERRORS.topicAuthorizationFailed)
    throw new LogIdentityError('not-authorized', `not authorized to describe topic ${topic}`);
  if (t.errorCode !== KAFKA_ERRORS.none && t.errorCode !== KAFKA_ERRORS.leaderNotAvailable)
    throw new Error(`metadata of topic ${topic} answered error code ${t.errorCode}`);
  if (!answer.clusterId || t.topicId === ZERO_TOPIC_ID) {
    throw new LogIdentityError(
      'no-topic-ids',
      `the broker reports no ${answer.clusterId ? 'topic' : 'cluster'} id for ${topic}`,
    );
  }
  return { topic, clusterId: answer.clusterId, topicId: t.topicId };
}
