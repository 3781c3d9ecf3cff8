import { sameLog, type LogIdentity, type LogIdentityReader } from '@app/platform';
import type { Kafka } from 'kafkajs';
import { checkLog, mismatchReport, type LogCheck } from './log.check';
import type { LogGuard } from './log.consumer';
import { endOffsets } from './log.consumer';
import { readCheckpointRows } from './projection.store';

export interface ProjectionLogGuardOptions {
  kafka: Kafka;
  reader: LogIdentityReader;
  schema: string;
  query: (sql: string, params: unknown[]) => Promise<unknown[]>;
  now?: () => Date;
}

/**
 * The projection's checkpoints against the log (decision 0641): at start-up for all partitions,
 * on every assignment for the assigned ones, and the log's identity before every batch.
 */
export class ProjectionLogGuard implements LogGuard {
  constructor(
    readonly log: LogIdentity,
    private readonly o: ProjectionLogGuardOptions,
  ) {}

  /** Reads the log's identity and checks every checkpoint of the schema against it. */
  static async atStart(
    topic: string,
    o: ProjectionLogGuardOptions,
  ): Promise<{ guard: ProjectionLogGuard; check: LogCheck; report: string | null }> {
    const log = await o.reader.read(topic);
    const guard = new ProjectionLogGuard(log, o);
    const { check, report } = await guard.inspect(log, null);
    return { guard, check, report };
  }

  async checkAssigned(partitions: number[]): Promise<string | null> {
    const found = await this.o.reader.read(this.log.topic);
    return (await this.inspect(found, new Set(partitions))).report;
  }

  async confirm(): Promise<string | null> {
    const found = await this.o.reader.read(this.log.topic);
    if (sameLog(found, this.log)) return null;
    return (await this.inspect(found, null)).report;
  }

  /**
   * Checkpoints first, end offsets second: a checkpoint another instance advances in between is
   * still within the end read after it (end offsets only grow), so no false alarm.
   */
  private async inspect(
    found: LogIdentity,
    partitions: Set<number> | null,
  ): Promise<{ check: LogCheck; report: string | null }> {
    const rows = (await readCheckpointRows(this.o.query, this.o.schema, found.topic)).filter(
      (r) => !partitions || partitions.has(r.partition),
    );
    const ends = await endOffsets(this.o.kafka, found.topic);
    const check = checkLog(rows, found, ends);
    if (!sameLog(found, this.log) && !check.problems.some((p) => p.kind === 'other-log')) {
      // The log changed since this process checked it, though no checkpoint names the old one yet.
      check.problems.unshift({
        kind: 'other-log',
        recorded: { clusterId: this.log.clusterId, topicId: this.log.topicId },
        partitions: [],
      });
    }
    if (check.problems.length === 0) return { check, report: null };
    const now = (this.o.now ?? (() => new Date()))();
    return {
      check,
      report: mismatchReport({ schema: this.o.schema, log: found, problems: check.problems, now }),
    };
  }
}
