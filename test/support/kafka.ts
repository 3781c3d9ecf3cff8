import { Admin, Consumer, IHeaders, Kafka, logLevel, Producer } from 'kafkajs';
import { eventually, kafkaBrokers, uniqueName } from './environment';
import { headerString } from '@app/platform';

export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

/** Kafka access for tests: raw producing and reading whole topics from the beginning. */
export class TestKafka {
  readonly kafka: Kafka;
  private producer?: Producer;
  private admin?: Admin;
  private consumers: Consumer[] = [];

  constructor(brokers: string[] = kafkaBrokers()) {
    this.kafka = new Kafka({
      brokers,
      clientId: uniqueName('test'),
      logLevel: logLevel.NOTHING,
    });
  }

  async createTopic(topic: string, numPartitions = 1): Promise<void> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    await this.admin.createTopics({
      topics: [{ topic, numPartitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  }

  /**
   * Deletes the topic and creates it again under the same name: another log (new topic id, offsets
   * from 0), as a reset or an operator recreating it does. Creating is retried while the broker is
   * still deleting the old one.
   */
  async recreateTopic(topic: string, numPartitions = 1): Promise<void> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    await this.admin.deleteTopics({ topics: [topic] });
    await eventually(
      async () => {
        await this.createTopic(topic, numPartitions);
        return true;
      },
      { what: `${topic} to be created again`, intervalMs: 200 },
    );
  }

  async send(
    topic: string,
    messages: { key?: string | null; value: Buffer | string | null; headers?: IHeaders }[],
  ): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    await this.producer.send({ topic, acks: -1, messages });
  }

  /** Every record on the topic right now (reads up to the high watermark of each partition). */
  /** The connected admin client (diagnostics: offsets, groups). */
  async adminClient(): Promise<Admin> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    return this.admin;
  }

  async readAll(topic: string, options: { readUncommitted?: boolean } = {}): Promise<ReadRecord[]> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    const ends = await this.admin.fetchTopicOffsets(topic);
    const wanted = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
    const total = [...wanted.values()].reduce((a, b) => a + b, 0n);
    const out: ReadRecord[] = [];
    if (total === 0n) return out;
    const consumer = this.kafka.consumer({
      groupId: uniqueName('reader'),
      readUncommitted: options.readUncommitted === true,
      sessionTimeout: 10_000,
      maxWaitTimeInMs: 200,
    });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      // Transactional topics end in commit/abort markers that are never delivered, so "done" is
      // either a batch with no lag, or several empty fetches in a row after the last record.
      const timer = setTimeout(() => reject(new Error(`readAll(${topic}) timed out`)), 30_000);
      const done = new Set<number>([...wanted].filter(([, high]) => high === 0n).map(([p]) => p));
      let quietFetches = 0;
      const finish = () => {
        if (done.size >= wanted.size || quietFetches >= 6) {
          clearTimeout(timer);
          resolve();
        }
      };
      consumer.on(consumer.events.FETCH, () => {
        quietFetches += 1;
        finish();
      });
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            quietFetches = 0;
            for (const message of batch.messages) {
              const headers: Record<string, string> = {};
              for (const k of Object.keys(message.headers ?? {}))
                headers[k] = headerString(message.headers, k) ?? '';
              out.push({
                partition: batch.partition,
                offset: message.offset,
                key: message.key?.toString('utf8') ?? null,
                value: message.value,
                headers,
                timestamp: message.timestamp,
              });
            }
            if (BigInt(batch.lastOffset()) + 1n >= (wanted.get(batch.partition) ?? 0n))
              done.add(batch.partition);
            finish();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  }

  /** Decoded JSON values of every record on the topic. */
  async readJson<T = unknown>(topic: string): Promise<T[]> {
    return (await this.readAll(topic)).map((r) => JSON.parse(r.value!.toString('utf8')) as T);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    await this.producer?.disconnect();
    await this.admin?.disconnect();
  }
}
