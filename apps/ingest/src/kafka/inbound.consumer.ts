import { LogEvent, loggableEventId, logRecordOf, Rejection } from '@app/contracts';
import { Logger } from '@nestjs/common';
import { Admin, EachBatchPayload, Kafka, KafkaMessage, Message } from 'kafkajs';
import {
  batchUnit,
  ConsumerSupervisor,
  type Failure,
  type HealthCheck,
  kafkaAnswers,
  parkedRecordOf,
  parkInTransaction,
  PoisonGuard,
  sendInParts,
  sendOffsetsPatiently,
  inTransaction,
  TransactionalProducers,
  takeOverPatiently,
} from '@app/platform';
import { IngestConfig } from '../config/ingest.config';
import { Admission } from '../domain/admission';
import { AppendGate } from '../domain/append.gate';
import { IngestMetrics } from '../observability/ingest.metrics';
import { EventAdmission } from '../event-admission.service';
import { deadLetterRecordOf } from './dead-letter.record';
import { DedupWindowKeeper } from './dedup.keeper';

/** Pause before re-reading a partition whose transaction failed, so a broker outage is not a hot loop. */
const RECOVERY_BACKOFF_MS = 500;
/** Tries to take a gained partition over (fence its previous owner), one per pause. */
const TAKE_OVER_TRIES = 60;
const TAKE_OVER_PAUSE_MS = 1_000;

interface Rejected {
  offset: string;
  rejection: Rejection;
  eventId?: string;
}

/**
 * Consumes the inbound topic. Each fetched batch becomes ONE Kafka transaction holding its log
 * records, its dead letters and the consumer offset after it, so every input is acted on exactly
 * once: a crash before the commit leaves no trace and the batch is read again. One transactional
 * producer per input partition (`<prefix>-<topic>-<partition>`), so a new owner of a partition fences
 * the old one. Bad input never stops the loop: it becomes a dead letter in the same transaction.
 * A batch whose transaction keeps failing for a reason that is not the broker's (a record the log
 * refuses) is retried, then its records one by one, and the one that still fails is parked
 * (PoisonGuard); a broker outage is waited out as before.
 */
export class InboundConsumer {
  private readonly logger = new Logger(InboundConsumer.name);
  private readonly producers: TransactionalProducers;
  /** Inbound partitions of the last assignment. */
  private owned = new Set<number>();
  // A failure while the broker does not answer is the broker's, never a record's.
  private readonly guard = new PoisonGuard('ingest', { storeUp: () => kafkaAnswers(this.admin) });
  private admin?: Admin;
  private supervisor?: ConsumerSupervisor;

  constructor(
    private readonly config: IngestConfig,
    private readonly kafka: Kafka,
    private readonly admission: EventAdmission,
    private readonly gate: AppendGate,
    private readonly metrics: IngestMetrics,
    private readonly dedup: DedupWindowKeeper,
  ) {
    this.producers = new TransactionalProducers(kafka, config.transactionTimeoutMs);
  }

  /** For `/health`: joined its group and answered by the broker. */
  readiness(): HealthCheck {
    return this.supervisor?.readiness() ?? { status: 'down', reason: 'not started' };
  }

  /** For `/health`: the partitions this instance consumes now, per topic. */
  partitions(): Record<string, number[]> {
    return this.supervisor?.partitions() ?? {};
  }

  async start(admin: Admin): Promise<void> {
    this.admin = admin;
    const groupId = this.config.consumerGroup;
    const supervisor: ConsumerSupervisor = new ConsumerSupervisor({
      name: 'ingest-inbound',
      create: () => {
        // maxBytes below kafkajs's 10 MiB default bounds memory while a backlog drains.
        const consumer = this.kafka.consumer({
          groupId,
          sessionTimeout: 30_000,
          maxWaitTimeInMs: 250,
          maxBytes: 4 * 1024 * 1024,
          // kafkajs's default retry count; its restarts end once stopping.
          retry: { retries: 5, restartOnFailure: async () => supervisor.active },
        });
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
          this.takeOverNow(payload.memberAssignment[this.config.inboundTopic] ?? []),
        );
        return consumer;
      },
      run: async (consumer) => {
        await consumer.connect();
        await consumer.subscribe({ topic: this.config.inboundTopic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          // Every partition's batch of a fetch in its own transaction at once: kafkajs fetches again
          // only when all of them are done, so with fewer workers an event that arrives meanwhile
          // waits for two transactions in a row instead of one (latency, issue 14). The fetch's
          // size is bounded by maxBytes whatever the concurrency.
          partitionsConsumedConcurrently: this.config.inboundPartitions,
          eachBatch: (payload) => this.onBatch(payload, admin),
        });
      },
    });
    // Set before start(): the first batch can arrive before run() resolves, and rewind needs it.
    this.supervisor = supervisor;
    await supervisor.start();
  }

  /**
   * At every assignment: a fresh producer for each partition this instance did not own before,
   * initialised now rather than at the partition's first batch. That fences the previous owner
   * and aborts what it left open on the log; a dead owner's open transaction would otherwise hold
   * every read_committed reader of the log until TRANSACTION_TIMEOUT_MS (decision 0683). Runs
   * between batches (kafkajs rejoins only once the running ones returned).
   */
  private takeOverNow(partitions: number[]): void {
    const topic = this.config.inboundTopic;
    const gained = partitions.filter((p) => !this.owned.has(p));
    const owned = new Set(partitions);
    this.owned = owned;
    // Tried again after a pause while the assignment stands: no batch comes to do it when the
    // inbound partition has nothing new (decision 0684).
    const current = () => this.owned === owned && this.supervisor?.active === true;
    for (const p of gained) void this.takeOver(this.transactionalIdOf(topic, p), `${topic}[${p}]`, current);
  }

  private async takeOver(id: string, where: string, current: () => boolean): Promise<void> {
    // A producer cached from an earlier ownership has been fenced by the owner since.
    await this.producers.drop(id);
    await takeOverPatiently(() => this.producers.get(id), {
      tries: TAKE_OVER_TRIES,
      pauseMs: TAKE_OVER_PAUSE_MS,
      current,
      failed: (e, attempt, last) =>
        this.logger.warn(`could not take ${where} over${last ? '' : ` yet (try ${attempt})`}: ${e.message}`),
    });
  }

  /** Leaves the group after the batch in progress (kafkajs waits for it), then closes producers. */
  async stop(): Promise<void> {
    await this.supervisor?.stop();
    this.supervisor = undefined;
    await this.producers.closeAll();
  }

  private async onBatch(p: EachBatchPayload, admin: Admin): Promise<void> {
    const { batch } = p;
    if (!p.isRunning() || p.isStale() || batch.messages.length === 0) return;
    const stopTimer = this.metrics.batchSeconds.startTimer();
    try {
      await this.guard.run<KafkaMessage>({
        ...batchUnit(p),
        process: (messages, retry) => this.append(p, messages, retry ? admin : undefined),
        park: (m, failure) => this.park(p, m, failure),
      });
    } catch (e) {
      // Transient (the broker), or stopping: re-read from the committed offset after a pause.
      this.logger.warn(
        `transaction for ${batch.topic}[${batch.partition}] failed (${(e as Error).name}); re-reading from the committed offset`,
      );
      await this.rewind(p, admin);
      return;
    }
    stopTimer();
  }

  /**
   * Appends `messages` (admitted ones to the log, rejected ones to the DLQ) and commits the offset
   * after them, in ONE transaction, sent in requests the broker accepts however many records there
   * are. After a failure (`resync` given) it first drops what the group committed meanwhile: a
   * commit can fail after the broker applied it.
   */
  private async append(
    p: EachBatchPayload,
    messages: readonly KafkaMessage[],
    resync?: Admin,
  ): Promise<void> {
    const { batch } = p;
    const last = messages[messages.length - 1].offset;
    let todo = messages;
    if (resync) {
      const next = await this.committedOffset(resync, batch.topic, batch.partition);
      todo = next === undefined ? messages : messages.filter((m) => BigInt(m.offset) >= next);
      if (todo.length === 0) return p.resolveOffset(last);
    }
    const owner = {};
    const logMessages: Message[] = [];
    const deadLetters: Message[] = [];
    const appended: LogEvent[] = [];
    const rejected: Rejected[] = [];
    let duplicates = 0;
    const now = new Date();

    for (const m of todo) {
      const verdict: Admission = this.admission.admit(m.value, now.getTime());
      if (!verdict.ok) {
        const source = { topic: batch.topic, partition: batch.partition, ...m };
        deadLetters.push(deadLetterRecordOf(source, verdict.rejection, now));
        rejected.push({ offset: m.offset, rejection: verdict.rejection, eventId: loggableEventId(m.value) });
      } else if (await this.gate.claim(verdict.event.id, owner)) {
        logMessages.push(logRecordOf(verdict.event));
        appended.push(verdict.event);
      } else {
        duplicates += 1;
      }
    }

    const transactionalId = this.transactionalIdOf(batch.topic, batch.partition);
    const claimed = appended.map((e) => e.id);
    try {
      if (duplicates > 0 && !(await this.dedup.confirm())) {
        // The window was of another log and has been rebuilt: decide this batch again (the seek
        // makes the batch stale, so nothing more of it is processed here).
        this.gate.aborted(claimed);
        await this.rewind(p, this.admin!);
        return;
      }
      await inTransaction(await this.producers.get(transactionalId), async (txn) => {
        await sendInParts(txn, [
          { topic: this.config.logTopic, messages: logMessages },
          { topic: this.config.deadLetterTopic, messages: deadLetters },
        ]);
        await sendOffsetsPatiently(txn, this.offsetsAfter(batch.topic, batch.partition, last));
      });
    } catch (e) {
      this.gate.aborted(claimed);
      this.metrics.failedTransactions.inc({ source: 'kafka' });
      // It may be fenced or in an unknown state: the next transaction starts on a fresh one.
      await this.producers.drop(transactionalId);
      throw e;
    }
    this.gate.committed(claimed);
    p.resolveOffset(last);
    await p.heartbeat();

    for (const e of appended) this.metrics.appended.inc({ source: 'kafka', type: e.type });
    if (duplicates > 0) this.metrics.duplicates.inc({ source: 'kafka' }, duplicates);
    this.metrics.dedupIds.set(this.gate.window.size);
    for (const r of rejected) {
      this.metrics.rejected.inc({ source: 'kafka', code: r.rejection.code });
      // Code, position and id only: the payload may hold a secret in clear.
      this.logger.warn({
        message: `dead-lettered ${batch.topic}[${batch.partition}]@${r.offset}: ${r.rejection.code}`,
        eventId: r.eventId,
      });
    }
  }

  /** Sets one record aside on the parked topic, in one transaction with the offset after it. */
  private async park(p: EachBatchPayload, m: KafkaMessage, failure: Failure): Promise<void> {
    const { batch } = p;
    const transactionalId = this.transactionalIdOf(batch.topic, batch.partition);
    const source = { topic: batch.topic, partition: batch.partition, ...m };
    try {
      await parkInTransaction(
        await this.producers.get(transactionalId),
        this.config.parkedTopic,
        parkedRecordOf(source, 'ingest', failure, new Date()),
        { groupId: this.config.consumerGroup, ...source },
      );
    } catch (e) {
      await this.producers.drop(transactionalId);
      throw e;
    }
    p.resolveOffset(m.offset);
  }

  private transactionalIdOf(topic: string, partition: number): string {
    return `${this.config.transactionalIdPrefix}-${topic}-${partition}`;
  }

  private offsetsAfter(topic: string, partition: number, offset: string) {
    return {
      consumerGroupId: this.config.consumerGroup,
      topics: [{ topic, partitions: [{ partition, offset: String(BigInt(offset) + 1n) }] }],
    };
  }

  /** The next offset the group committed for a partition, or undefined when it committed none. */
  private async committedOffset(admin: Admin, topic: string, partition: number): Promise<bigint | undefined> {
    const [committed] = await admin.fetchOffsets({ groupId: this.config.consumerGroup, topics: [topic] });
    const at = committed.partitions.find((x) => x.partition === partition)?.offset ?? '-1';
    return at === '-1' ? undefined : BigInt(at);
  }

  /**
   * After a failed transaction the in-memory position may be wrong either way (a commit can fail
   * after the broker applied it), so the partition is re-read from the offset the group committed.
   */
  private async rewind({ batch }: EachBatchPayload, admin: Admin): Promise<void> {
    await new Promise((r) => setTimeout(r, RECOVERY_BACKOFF_MS));
    // Nothing committed yet: the group starts from the beginning as at first start.
    const at =
      (await this.committedOffset(admin, batch.topic, batch.partition)) ?? BigInt(batch.firstOffset()!);
    this.supervisor?.current?.seek({ topic: batch.topic, partition: batch.partition, offset: String(at) });
  }
}
