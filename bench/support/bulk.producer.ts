import type { Admin, Producer } from 'kafkajs';
import { FOREVER } from '@app/platform';
import { benchKafka, uniqueName } from './bench.env';
import type { KafkaRecord } from './log-events.factory';

const BATCH = 1000;
const IN_FLIGHT = 4;

/**
 * Writes records as fast as the broker takes them: batches of BATCH records, IN_FLIGHT sends at
 * once (`sendMany`), or in order, one batch after the other (`sendOrdered`: a configuration must
 * be on the log before the messages that use it).
 */
export class BulkProducer {
  private readonly kafka = benchKafka(uniqueName('bench-producer'));
  private readonly producer: Producer = this.kafka.producer({ allowAutoTopicCreation: false });
  private admin?: Admin;

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /** Creates a topic kept forever (the log's settings) with `partitions` partitions. */
  async createTopic(topic: string, partitions: number): Promise<void> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    await this.admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: Object.entries(FOREVER).map(([name, value]) => ({ name, value })),
        },
      ],
      waitForLeaders: true,
    });
  }

  /** Sends and waits for the broker's acknowledgement, in order. */
  async sendOrdered(topic: string, records: KafkaRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += BATCH) {
      await this.producer.send({ topic, acks: -1, messages: records.slice(i, i + BATCH) });
    }
  }

  /**
   * Sends `count` records made by `make(i)` as fast as possible; returns the seconds it took.
   * Order holds inside a batch of `batch` consecutive records, not between concurrent batches.
   */
  async sendMany(
    topic: string,
    count: number,
    make: (i: number) => KafkaRecord,
    batch = BATCH,
  ): Promise<number> {
    const started = Date.now();
    let next = 0;
    const slot = async () => {
      while (next < count) {
        const from = next;
        const to = Math.min(count, from + batch);
        next = to;
        const messages: KafkaRecord[] = [];
        for (let i = from; i < to; i += 1) messages.push(make(i));
        await this.producer.send({ topic, acks: -1, messages });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, slot));
    return (Date.now() - started) / 1000;
  }

  /** Deletes the run's topics: a bench writes up to a million records it never needs again. */
  async deleteTopics(topics: string[]): Promise<void> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    const existing = new Set(await this.admin.listTopics());
    const mine = topics.filter((t) => existing.has(t));
    if (mine.length > 0) await this.admin.deleteTopics({ topics: mine, timeout: 30_000 });
  }

  /** Sends one small batch now (steady-rate producers). */
  async send(topic: string, records: KafkaRecord[]): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages: records });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
    await this.admin?.disconnect();
  }
}
