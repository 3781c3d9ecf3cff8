import { createKafka, describeLog, ensureTopics } from '@app/platform';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { IngestConfig } from './config/ingest.config';
import { AppendGate } from './domain/append.gate';
import { DedupWindow } from './domain/dedup.window';
import { EventAdmission } from './event-admission.service';
import { EventsService } from './http/events.service';
import { DedupWindowKeeper } from './kafka/dedup.keeper';
import { InboundConsumer } from './kafka/inbound.consumer';
import { ingestTopicSpecs } from './kafka/ingest.topics';
import { LogAppender } from './kafka/log.appender';
import { IngestMetrics } from './observability/ingest.metrics';

/**
 * Wires ingest: builds the Kafka client, the append gate, both intake paths (the inbound consumer
 * and the HTTP service) and what they share, by constructor (no decorators below it).
 *
 * Start-up and shutdown in a fixed order. Up: topics → HTTP producer (fences its predecessor) →
 * de-duplication window rebuilt from the log → inbound consumer. Nothing is consumed or accepted
 * before the window is rebuilt (the HTTP server starts listening only after this has run).
 * Down: the consumer leaves its group after its batch in progress, then the producers close.
 */
export class IngestRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ingest');
  private readonly metrics = new IngestMetrics();
  private readonly kafka: Kafka;
  private readonly gate: AppendGate;
  private readonly appender: LogAppender;
  private readonly dedup: DedupWindowKeeper;
  /** The Kafka intake path; `/health` reports its readiness and partitions. */
  readonly consumer: InboundConsumer;
  /** The HTTP intake path (`POST /v1/events`). */
  readonly events: EventsService;
  private admin?: Admin;

  constructor(private readonly config: IngestConfig) {
    this.kafka = createKafka({
      brokers: config.kafkaBrokers,
      ...config.kafkaSecurity,
      clientId: config.kafkaClientId,
    });
    this.gate = new AppendGate(new DedupWindow(config.dedupWindowSeconds * 1000, config.dedupMaxIds));
    const admission = new EventAdmission(config);
    this.appender = new LogAppender(config, this.kafka);
    this.dedup = new DedupWindowKeeper(config, this.kafka, this.gate);
    this.consumer = new InboundConsumer(config, this.kafka, admission, this.gate, this.metrics, this.dedup);
    this.events = new EventsService(config, admission, this.gate, this.appender, this.metrics, this.dedup);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config } = this;
    const admin = this.kafka.admin();
    await admin.connect();
    this.admin = admin;
    await ensureTopics(admin, ingestTopicSpecs(config), config.replicationFactor);
    await this.appender.start();

    const started = Date.now();
    const result = await this.dedup.rebuild();
    this.metrics.dedupIds.set(this.gate.window.size);
    const took = Date.now() - started;
    if (result.caughtUp) {
      this.logger.log(
        `de-duplication window rebuilt: ${result.ids} ids from ${describeLog(result.log)} in ${took} ms`,
      );
    } else {
      // Still safe to start: inbound offsets commit atomically with appends, so only a producer
      // re-send of an event in the unread tail could be appended twice.
      this.logger.warn(
        `de-duplication window rebuild timed out after ${took} ms (partitions ${result.lagging.join(',')} not read to the end)`,
      );
    }
    await this.consumer.start(admin);
    this.logger.log(
      `consuming ${config.inboundTopic} as ${config.consumerGroup}; appending to ${config.logTopic}`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.appender.stop();
    await this.dedup.close();
    await this.admin?.disconnect();
    this.admin = undefined;
  }
}
