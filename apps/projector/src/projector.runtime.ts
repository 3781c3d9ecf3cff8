import { Logger } from '@nestjs/common';
import { FOREVER, ensureTopics } from '@app/platform';
import type { Kafka, Producer } from 'kafkajs';
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { metricsRegistry } from '@app/platform';
import type { ProjectorConfig } from './config/projector.config';
import { MailSender } from './mail/mail.sender';
import { OutboxRelay } from './outbox/outbox.relay';
import { RecoveryWorker } from './recovery/recovery.worker';
import { ProjectionApplier } from './projection/projection.applier';
import { readCheckpoints } from './projection/projection.store';
import { endOffsets, LogConsumer } from './projection/log.consumer';

const eventsApplied = new Counter({
  name: 'projector_events_applied_total',
  help: 'Log events folded into the projection',
  registers: [metricsRegistry],
});
const eventsSkipped = new Counter({
  name: 'projector_events_skipped_total',
  help: 'Log records skipped (unknown type/version or invalid)',
  registers: [metricsRegistry],
});
const lagGauge = new Gauge({
  name: 'projector_caught_up',
  help: '1 once the projection reached the log end read at start-up',
  registers: [metricsRegistry],
});

/** The projector's background work: projection consumer, outbox relay, mail sender, recoveries. */
export class ProjectorRuntime {
  private readonly logger = new Logger('projector');
  consumer?: LogConsumer;
  relay?: OutboxRelay;
  mail?: MailSender;
  recovery?: RecoveryWorker;
  private startEnds = new Map<number, bigint>();

  constructor(
    private readonly config: ProjectorConfig,
    private readonly dataSource: DataSource,
    private readonly kafka: Kafka,
    private readonly producer: Producer,
  ) {}

  async start(): Promise<void> {
    const { config } = this;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        { topic: config.logTopic, numPartitions: config.logPartitions, configs: FOREVER },
      ]);
    } finally {
      await admin.disconnect();
    }
    this.startEnds = await endOffsets(this.kafka, config.logTopic);
    const checkpoints = await readCheckpoints(
      (sql, p) => this.dataSource.query(sql, p),
      config.schema,
      config.logTopic,
    );
    this.consumer = new LogConsumer(
      this.kafka,
      new ProjectionApplier(this.dataSource, config.schema, config.logTopic, { mode: 'live' }),
      {
        topic: config.logTopic,
        groupId: config.consumerGroup,
        chunk: config.applyChunk,
        checkpoints,
        hooks: config.hooks,
        onApplied: (_p, r) => {
          eventsApplied.inc(r.applied);
          eventsSkipped.inc(r.skipped);
        },
      },
    );
    if (config.workers.projection) await this.consumer.start();
    if (config.workers.relay) {
      this.relay = new OutboxRelay(this.dataSource, config.schema, this.producer, {
        topic: config.logTopic,
        pollMs: config.outboxPollMs,
        caughtUp: () => this.caughtUp(),
      });
      this.relay.start();
    }
    if (config.workers.mail) {
      this.mail = new MailSender(this.dataSource, config.schema, {
        smtpUrl: config.smtpUrl,
        from: config.mailFrom,
        publicBaseUrl: config.publicBaseUrl,
        pollMs: config.outboxPollMs,
        retryBaseMs: config.mailRetryBaseMs,
        retryMaxMs: config.mailRetryMaxMs,
        followUpMs: config.alertFollowUpMs,
      });
      this.mail.start();
    }
    if (config.workers.recovery) {
      this.recovery = new RecoveryWorker(this.dataSource, config.schema, this.producer, {
        topic: config.logTopic,
        pollMs: config.outboxPollMs,
        ratePerSecond: config.recoveryRate,
        caughtUp: () => this.caughtUp(),
      });
      this.recovery.start();
    }
    if (config.adminApiKeys.length === 0)
      this.logger.warn('ADMIN_API_KEYS is empty: enable, resend and recover refuse every request');
    this.logger.log(`projecting ${config.logTopic} into schema ${config.schema}`);
  }

  /** The projection has applied everything that was on the log when this process started. */
  caughtUp(): boolean {
    const done = this.consumer?.caughtUp(this.startEnds) ?? false;
    lagGauge.set(done ? 1 : 0);
    return done;
  }

  async stop(): Promise<void> {
    await this.recovery?.stop();
    await this.relay?.stop();
    await this.mail?.stop();
    await this.consumer?.stop();
  }
}
