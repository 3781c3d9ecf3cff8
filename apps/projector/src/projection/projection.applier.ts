import { Logger } from '@nestjs/common';
import { decodeEvent } from '@app/contracts';
import type { LogIdentity } from '@app/platform';
import type { DataSource } from 'typeorm';
import { evolve, keysOf, type EvolveOptions, type PositionedEvent } from './projection.evolve';
import { ProjectionStore } from './projection.store';

/** A record as read from the log (only what the projection needs). */
export interface LogRecord {
  offset: string;
  timestamp: string;
  value: Buffer | null;
}

export interface ApplyResult {
  /** Events folded into rows. */
  applied: number;
  /** Records at or below the checkpoint (a re-delivery): nothing done. */
  duplicates: number;
  /** Unknown types/versions or invalid records: skipped with a warning. */
  skipped: number;
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
    records: LogRecord[],
    endOffset: string,
    log: LogIdentity,
  ): Promise<ApplyResult> {
    if (log.topic !== this.topic)
      throw new Error(`records of ${log.topic} given to the applier of ${this.topic}`);
    return this.dataSource.transaction('READ COMMITTED', async (em) => {
      const qr = em.queryRunner!;
      const next = await this.store.lockCheckpoint(qr, log, partition);
      const end = BigInt(endOffset);
      const fresh = records.filter((r) => BigInt(r.offset) >= next);
      const result: ApplyResult = {
        applied: 0,
        duplicates: records.length - fresh.length,
        skipped: 0,
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
        } else {
          // A newer producer's type or version, or a record that is not an event: never a crash.
          result.skipped += 1;
          this.logger.warn(
            `skipped ${this.topic}/${partition}@${r.offset}: ${decoded.rejection.code} (${decoded.rejection.message})`,
          );
        }
      }
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
  }
}
