import { Logger } from '@nestjs/common';
import { decodeEvent } from '@app/contracts';
import { answersWithin, reportParked, type LogIdentity } from '@app/platform';
import type { DataSource } from 'typeorm';
import { evolve, keysOf, type EvolveOptions, type PositionedEvent } from './projection.evolve';
import { parkedLogRecord, type ParkingReason } from './projection.parked';
import type { ParkedRow } from './projection.schema';
import { ProjectionStore } from './projection.store';

/** A record as read from the log (only what the projection needs). */
export interface LogRecord {
  offset: string;
  timestamp: string;
  key?: Buffer | null;
  value: Buffer | null;
}

/**
 * Rejections that mean "a newer producer's event": skipped, as the contracts promise. Any other
 * record that does not decode is not an event at all, and is parked where verify and audit see it.
 */
const FROM_THE_FUTURE = new Set(['unknown-type', 'unknown-version']);

export interface ApplyResult {
  /** Events folded into rows. */
  applied: number;
  /** Records at or below the checkpoint (a re-delivery): nothing done. */
  duplicates: number;
  /** Unknown types/versions: skipped with a warning. */
  skipped: number;
  /** Records that are not events (malformed, invalid): parked. */
  parked: number;
  rows: number;
  types: string[];
}

/**
 * Applies one run of records of one partition in ONE database transaction together with that
 * partition's checkpoint. The checkpoint (next offset to apply) is read under a row lock, so a
 * re-delivered record is recognised by its position and changes nothing.
 */
export class ProjectionApplier {
  private readonly logger = new Logger('projection');
  private readonly store: ProjectionStore;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
    private readonly topic: string,
    private readonly options: EvolveOptions,
  ) {
    this.store = new ProjectionStore(schema);
  }

  /**
   * @param endOffset the last offset this run covers; may be past the last record when the log
   *   holds transaction markers there, so the checkpoint moves over them.
   * @param log the log the records were read from, confirmed after they were fetched; a checkpoint
   *   of another log throws LogMismatchError and nothing is applied.
   */
  async apply(
    partition: number,
    records: readonly LogRecord[],
    endOffset: string,
    log: LogIdentity,
  ): Promise<ApplyResult> {
    if (log.topic !== this.topic)
      throw new Error(`records of ${log.topic} given to the applier of ${this.topic}`);
    const parked: ParkedRow[] = [];
    const result = await this.dataSource.transaction('READ COMMITTED', async (em) => {
      const qr = em.queryRunner!;
      const next = await this.store.lockCheckpoint(qr, log, partition);
      const end = BigInt(endOffset);
      const fresh = records.filter((r) => BigInt(r.offset) >= next);
      const result: ApplyResult = {
        applied: 0,
        duplicates: records.length - fresh.length,
        skipped: 0,
        parked: 0,
        rows: 0,
        types: [],
      };
      if (end < next) return result;

      const events: PositionedEvent[] = [];
      for (const r of fresh) {
        const decoded = decodeEvent(r.value, 'stored');
        if (decoded.ok) {
          events.push({
            event: decoded.event,
            position: { partition, offset: r.offset, timestamp: r.timestamp },
          });
        } else if (FROM_THE_FUTURE.has(decoded.rejection.code)) {
          result.skipped += 1;
          this.logger.warn(
            `skipped ${this.topic}/${partition}@${r.offset}: ${decoded.rejection.code} (${decoded.rejection.message})`,
          );
        } else {
          const { code, message } = decoded.rejection;
          const reason: ParkingReason = { code, class: 'deterministic', message, attempts: 0 };
          parked.push(parkedLogRecord({ topic: this.topic, partition, ...r }, reason));
        }
      }
      if (parked.length > 0) result.parked = await this.store.writeParked(qr, parked);
      if (events.length > 0) {
        const base = await this.store.load(qr, keysOf(events));
        const callbacks = await this.store.loadCallbacks(qr, keysOf(events, base.communications).callbackIds);
        const changes = evolve({ ...base, callbacks }, events, this.options);
        result.rows = await this.store.write(qr, changes);
      }
      result.applied = events.length;
      result.types = events.map((e) => e.event.type);
      await this.store.saveCheckpoint(qr, this.topic, partition, end + 1n, result.applied, result.skipped);
      return result;
    });
    for (const row of parked) this.reportParked(row);
    return result;
  }

  /**
   * Moves the partition's checkpoint past one record without applying it, and records why, in one
   * transaction: the record is parked once, and never both parked and applied. (The caller, a
   * PoisonGuard, counts and logs it.) A checkpoint of another log throws LogMismatchError, as in
   * `apply`.
   */
  async park(partition: number, record: LogRecord, reason: ParkingReason, log: LogIdentity): Promise<void> {
    const row = parkedLogRecord({ topic: this.topic, partition, ...record }, reason);
    await this.dataSource.transaction('READ COMMITTED', async (em) => {
      const qr = em.queryRunner!;
      const next = await this.store.lockCheckpoint(qr, log, partition);
      if (BigInt(record.offset) < next) return;
      await this.store.writeParked(qr, [row]);
      await this.store.saveCheckpoint(qr, this.topic, partition, BigInt(record.offset) + 1n, 0, 0);
    });
  }

  /** Whether the database answers right now (a failure while it does not is not the record's). */
  storeAnswers(): Promise<boolean> {
    return answersWithin(() => this.dataSource.query('SELECT 1'));
  }

  private reportParked(row: ParkedRow): void {
    const where = `${row.sourceTopic}[${row.sourcePartition}]@${row.sourceOffset}`;
    reportParked('projector', row.eventId ? `${where} (event ${row.eventId})` : where, {
      code: row.code,
      class: row.failureClass,
      message: row.reason,
      attempts: row.attempts,
    });
  }
}
