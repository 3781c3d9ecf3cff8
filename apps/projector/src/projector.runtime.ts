import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  createKafka,
  describeLog,
  ensureTopics,
  FOREVER,
  idempotentProducer,
  LogIdentityReader,
} from '@app/platform';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { ProjectorConfig } from './config/projector.config';
import { createDataSource } from './database/data-source.factory';
import { quoteSchema, rebuildSchemaNames } from './database/schema.name';
import { switchSchema, withRebuildLock } from './database/schema.switch';
import { MailSender } from './mail/mail.sender';
import { ProjectorMetrics } from './observability/projector.metrics';
import { OutboxRelay } from './outbox/outbox.relay';
import { RecoveryWorker } from './recovery/recovery.worker';
import { LogMismatchError } from './projection/log.check';
import { endOffsets, LogConsumer } from './projection/log.consumer';
import { ProjectionLogGuard } from './projection/log.guard';
import { ProjectionApplier } from './projection/projection.applier';
import { readCheckpointRows, recordLogIdentity } from './projection/projection.store';
import { runReplay } from './replay/replay.runner';

/**
 * What the projection is doing: `projecting` normally; `refused` when its checkpoints do not
 * belong to the log (ON_LOG_MISMATCH=refuse, found after start-up); `rebuilding` while it is
 * rebuilt into a fresh schema (ON_LOG_MISMATCH=rebuild). `reason` is the mismatch report.
 */
export type ProjectionState =
  { state: 'projecting' } | { state: 'refused'; reason: string } | { state: 'rebuilding'; reason: string };

/**
 * The projector's background work: projection consumer, outbox relay, mail sender, recoveries.
 * `create` builds what they run on (the data source, the Kafka client, the log producer); the
 * workers are built by constructor at start (no decorators below it). The read API's services
 * get the data source and the producer from here.
 */
export class ProjectorRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('projector');
  private readonly metrics = new ProjectorMetrics();
  consumer?: LogConsumer;
  relay?: OutboxRelay;
  mail?: MailSender;
  recovery?: RecoveryWorker;
  private startEnds = new Map<number, bigint>();
  private reader?: LogIdentityReader;
  private projection: ProjectionState = { state: 'projecting' };
  private rebuilding?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly config: ProjectorConfig,
    readonly dataSource: DataSource,
    private readonly kafka: Kafka,
    /** Appends the API's operator events to the log. */
    readonly producer: Producer,
  ) {}

  static async create(config: ProjectorConfig): Promise<ProjectorRuntime> {
    const dataSource = await createDataSource({
      databaseUrl: config.databaseUrl,
      schema: config.schema,
    }).initialize();
    const kafka = createKafka({
      brokers: config.kafkaBrokers,
      ...config.kafkaSecurity,
      clientId: `projector-${config.schema}`,
    });
    // Idempotent: a retried send after a lost acknowledgement is not written twice.
    const producer = idempotentProducer(kafka);
    try {
      await producer.connect();
    } catch (e) {
      await dataSource.destroy();
      throw e;
    }
    return new ProjectorRuntime(config, dataSource, kafka, producer);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
    await this.producer.disconnect();
    await this.dataSource.destroy();
  }

  /**
   * Checks that the projection belongs to the log before anything runs (decision 0641). A
   * mismatch throws LogMismatchError (ON_LOG_MISMATCH=refuse: the process does not start), or
   * starts a rebuild in the background and returns (ON_LOG_MISMATCH=rebuild).
   */
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
    this.reader = new LogIdentityReader(this.kafka);
    const { guard, check, report } = await ProjectionLogGuard.atStart(config.logTopic, this.guardOptions());
    if (report) {
      if (config.onLogMismatch === 'refuse') {
        await this.reader.close();
        throw new LogMismatchError(report);
      }
      this.mismatch(report);
      return;
    }
    if (check.unrecorded.length > 0) {
      await recordLogIdentity((sql, p) => this.dataSource.query(sql, p), config.schema, guard.log);
      this.logger.log(
        `recorded the log identity ${describeLog(guard.log)} on the checkpoints of partitions ${check.unrecorded.join(',')}`,
      );
    }
    await this.startWorkers(guard);
  }

  /** The projection has applied everything that was on the log when its workers started. */
  caughtUp(): boolean {
    const done = this.projection.state === 'projecting' && (this.consumer?.caughtUp(this.startEnds) ?? false);
    this.metrics.caughtUp.set(done ? 1 : 0);
    return done;
  }

  status(): ProjectionState {
    return this.projection;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.rebuilding;
    await this.stopWorkers();
    await this.reader?.close();
  }

  private guardOptions() {
    return {
      kafka: this.kafka,
      reader: this.reader!,
      schema: this.config.schema,
      query: (sql: string, p: unknown[]) => this.dataSource.query(sql, p),
    };
  }

  private async startWorkers(guard: ProjectionLogGuard): Promise<void> {
    const { config } = this;
    this.startEnds = await endOffsets(this.kafka, config.logTopic);
    const rows = await readCheckpointRows(
      (sql, p) => this.dataSource.query(sql, p),
      config.schema,
      config.logTopic,
    );
    const checkpoints = new Map(rows.map((r) => [r.partition, r.nextOffset]));
    this.consumer = new LogConsumer(
      this.kafka,
      new ProjectionApplier(this.dataSource, config.schema, config.logTopic, { mode: 'live' }),
      {
        topic: config.logTopic,
        groupId: config.consumerGroup,
        chunk: config.applyChunk,
        // Up to four partitions at once, each in its own transaction: the projector otherwise waits
        // on one partition's statements at a time; four leave most of the pool to the API and the
        // workers (decision 0742).
        partitionsAtOnce: Math.min(4, this.startEnds.size),
        checkpoints,
        guard,
        onMismatch: (report) => this.mismatch(report),
        hooks: config.hooks,
        onApplied: (_p, r) => {
          this.metrics.eventsApplied.inc(r.applied);
          this.metrics.eventsSkipped.inc(r.skipped);
          this.metrics.disabled.inc(r.types.filter((t) => t === 'CommunicationDisabled').length);
        },
      },
    );
    if (config.workers.projection) await this.consumer.start();
    if (config.workers.relay) {
      this.metrics.measureOutboxWith(async () => {
        const [row] = (await this.dataSource.query(
          `SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS age
             FROM ${quoteSchema(config.schema)}.outbox_events WHERE published_offset IS NULL`,
        )) as { age: number }[];
        return row.age;
      });
      this.relay = new OutboxRelay(this.dataSource, config.schema, this.producer, {
        topic: config.logTopic,
        pollMs: config.outboxPollMs,
        caughtUp: () => this.caughtUp(),
        // Never append an event derived from one log to another one.
        logUnchanged: async () => {
          const report = await guard.confirm();
          if (report) this.mismatch(report);
          return report === null;
        },
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
        // Resends derived from one log's projection must never be appended to another log.
        logUnchanged: async () => {
          const report = await guard.confirm();
          if (report) this.mismatch(report);
          return report === null;
        },
      });
      this.recovery.start();
    }
    if (config.adminApiKeys.length === 0)
      this.logger.warn('ADMIN_API_KEYS is empty: enable, resend and recover refuse every request');
    this.projection = { state: 'projecting' };
    this.metrics.logMismatch.set(0);
    this.logger.log(`projecting ${describeLog(guard.log)} into schema ${config.schema}`);
  }

  private async stopWorkers(): Promise<void> {
    const { relay, mail, consumer, recovery } = this;
    this.relay = this.mail = this.consumer = this.recovery = undefined;
    await recovery?.stop();
    await relay?.stop();
    await mail?.stop();
    await consumer?.stop();
  }

  /**
   * The projection does not belong to the log (found at start-up in rebuild mode, or later by the
   * consumer or the relay): stop consuming and publishing, then wait (refuse) or rebuild.
   */
  private mismatch(report: string): void {
    if (this.projection.state !== 'projecting' || this.stopping) return;
    this.logger.error(report);
    this.metrics.logMismatch.set(1);
    if (this.config.onLogMismatch === 'refuse') {
      this.projection = { state: 'refused', reason: report };
      // Emails of events already projected are still owed; only the log side stops.
      void this.recovery?.stop();
      void this.relay?.stop();
      void this.consumer?.stop();
      return;
    }
    this.projection = { state: 'rebuilding', reason: report };
    this.rebuilding = this.rebuild(report).finally(() => (this.rebuilding = undefined));
  }

  /**
   * ON_LOG_MISMATCH=rebuild: replays the log into a fresh schema (exactly what `npm run replay`
   * does: no email for the past), then renames the old schema to `<schema>_old_<time>` and the new
   * one to the configured name, and starts projecting again.
   */
  private async rebuild(report: string): Promise<void> {
    const { config } = this;
    try {
      await this.stopWorkers();
      await withRebuildLock(
        config.databaseUrl,
        config.schema,
        async () => {
          // Another instance may have rebuilt while this one waited for the lock.
          const again = await ProjectionLogGuard.atStart(config.logTopic, this.guardOptions());
          if (!again.report || this.stopping) return;
          const names = rebuildSchemaNames(config.schema, new Date());
          this.logger.warn(
            `rebuilding the projection from ${describeLog(again.guard.log)} into ${names.next}`,
          );
          const summary = await runReplay({
            kafkaBrokers: config.kafkaBrokers,
            kafkaSecurity: config.kafkaSecurity,
            databaseUrl: config.databaseUrl,
            schema: names.next,
            logTopic: config.logTopic,
            chunk: config.replayChunk,
            progress: (line) => this.logger.log(line),
            shouldStop: () => this.stopping,
            dropOnFailure: true,
          });
          await switchSchema(config.databaseUrl, { live: config.schema, ...names });
          this.logger.warn(
            `rebuilt ${summary.events} events into ${config.schema}; the previous projection is kept as ${names.archive}`,
          );
        },
        () => this.stopping,
      );
      if (this.stopping) return;
      const fresh = await ProjectionLogGuard.atStart(config.logTopic, this.guardOptions());
      if (fresh.report) throw new LogMismatchError(fresh.report);
      await this.startWorkers(fresh.guard);
    } catch (e) {
      const reason = `rebuild failed: ${(e as Error).message}\n${report}`;
      this.projection = { state: 'refused', reason };
      this.logger.error(reason);
    }
  }
}
