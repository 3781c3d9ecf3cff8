import type { LogIdentity } from '@app/platform';

/**
 * Whether a projection's checkpoints belong to the log the projector is connected to. Pure: the
 * caller reads the checkpoints, the log's identity and its end offsets (in that order, see
 * ProjectorRuntime) and acts on the answer.
 */

/** One checkpoint row as stored: next offset, and the log it counts (null before migration 0641). */
export interface CheckpointRow {
  partition: number;
  nextOffset: bigint;
  clusterId: string | null;
  topicId: string | null;
}

export type LogProblem =
  /**
   * The checkpoints name another cluster or topic id: another log of the same name. No partitions:
   * the log changed under a running projector before any checkpoint of the old one was read.
   */
  | { kind: 'other-log'; recorded: { clusterId: string; topicId: string }; partitions: number[] }
  /** The checkpoint says more was applied than the partition holds: the log is not the one applied. */
  | { kind: 'beyond-end'; partition: number; checkpoint: bigint; end: bigint }
  /** A checkpoint of a partition the log does not have. */
  | { kind: 'missing-partition'; partition: number; checkpoint: bigint };

export interface LogCheck {
  problems: LogProblem[];
  /** Partitions whose checkpoint has no identity yet (written before migration 0641). */
  unrecorded: number[];
}

/**
 * @param rows the checkpoints to check (all, or those of the partitions just assigned)
 * @param ends end offsets of the log's partitions (the last stable offset), read AFTER the rows
 */
export function checkLog(rows: CheckpointRow[], log: LogIdentity, ends: Map<number, bigint>): LogCheck {
  const problems: LogProblem[] = [];
  const others = new Map<
    string,
    { recorded: { clusterId: string; topicId: string }; partitions: number[] }
  >();
  const unrecorded: number[] = [];
  for (const row of [...rows].sort((a, b) => a.partition - b.partition)) {
    if (row.clusterId === null || row.topicId === null) {
      unrecorded.push(row.partition);
    } else if (row.clusterId !== log.clusterId || row.topicId !== log.topicId) {
      const key = `${row.clusterId}/${row.topicId}`;
      const other = others.get(key) ?? {
        recorded: { clusterId: row.clusterId, topicId: row.topicId },
        partitions: [],
      };
      other.partitions.push(row.partition);
      others.set(key, other);
      // Offsets of another log say nothing about this one: no end-offset comparison.
      continue;
    }
    const end = ends.get(row.partition);
    if (end === undefined) {
      if (row.nextOffset > 0n)
        problems.push({ kind: 'missing-partition', partition: row.partition, checkpoint: row.nextOffset });
    } else if (row.nextOffset > end) {
      problems.push({ kind: 'beyond-end', partition: row.partition, checkpoint: row.nextOffset, end });
    }
  }
  for (const other of others.values()) problems.unshift({ kind: 'other-log', ...other });
  return { problems, unrecorded };
}

/** A stable error code so callers (start-up, tests) never match on message text. */
export class LogMismatchError extends Error {
  readonly code = 'log-mismatch';

  constructor(readonly report: string) {
    super(report);
    this.name = 'LogMismatchError';
  }
}

/** What the projector says when it will not consume: schema, topic, expected, found, the ways out. */
export function mismatchReport(o: {
  schema: string;
  log: LogIdentity;
  problems: LogProblem[];
  /** When the report is written (names the suggested fresh schema). */
  now: Date;
}): string {
  const { schema, log } = o;
  const lines = [
    `the projection in schema "${schema}" was not built from the log ${log.topic} it is connected to, ` +
      `so the projector consumes nothing rather than skip that log's events:`,
  ];
  for (const p of o.problems) {
    switch (p.kind) {
      case 'other-log':
        lines.push(
          `  - topic ${log.topic}: ` +
            (p.partitions.length > 0
              ? `the checkpoints (partitions ${p.partitions.join(',')}) expect`
              : 'the projector started on') +
            ` cluster ${p.recorded.clusterId}, topic id ${p.recorded.topicId}; found cluster ` +
            `${log.clusterId}, topic id ${log.topicId}`,
        );
        break;
      case 'beyond-end':
        lines.push(
          `  - topic ${log.topic} partition ${p.partition}: the checkpoint (next offset ${p.checkpoint}) is ` +
            `beyond the partition's end offset ${p.end}`,
        );
        break;
      case 'missing-partition':
        lines.push(
          `  - topic ${log.topic} partition ${p.partition}: the checkpoint (next offset ${p.checkpoint}) is ` +
            `for a partition the topic does not have`,
        );
        break;
      default:
        assertNever(p);
    }
  }
  const fresh = freshSchemaName(schema, o.now);
  lines.push(
    'Fix it in one of two ways (see docs/projector.md, "Log identity"):',
    `  - rebuild into a fresh schema and use it: npm run replay -- --schema ${fresh} --topic ${log.topic}` +
      ` then start the projector with DB_SCHEMA=${fresh}`,
    `  - or start the projector with ON_LOG_MISMATCH=rebuild: it rebuilds from this log into a fresh ` +
      `schema, keeps the old projection as "${schema}_old_<time>" and switches "${schema}" to the new one`,
  );
  return lines.join('\n');
}

/** A schema name for a rebuild (`<schema>_<yyyymmdd>`), within Postgres's 63 characters. */
export function freshSchemaName(schema: string, now: Date): string {
  return `${schema.slice(0, 54)}_${now.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

function assertNever(p: never): never {
  throw new Error(`unhandled problem ${(p as { kind: string }).kind}`);
}

/** The logs a schema's checkpoints record, as `<clusterId>/<topicId>` (sorted), and whether any has none. */
export function recordedLogs(rows: CheckpointRow[]): { logs: string[]; unrecorded: boolean } {
  const logs = new Set<string>();
  let unrecorded = false;
  for (const r of rows) {
    if (r.clusterId === null || r.topicId === null) unrecorded = true;
    else logs.add(`${r.clusterId}/${r.topicId}`);
  }
  return { logs: [...logs].sort(), unrecorded };
}

/**
 * One line saying which log a schema was built from, compared with `log` (the topic at
 * KAFKA_BROKERS now) when it is known. `same` is null when it cannot be said.
 */
export function recordedVersus(
  schema: string,
  rows: CheckpointRow[],
  log: LogIdentity | null,
): { same: boolean | null; line: string } {
  const { logs, unrecorded } = recordedLogs(rows);
  if (rows.length === 0) return { same: null, line: `${schema}: no checkpoint yet` };
  if (unrecorded)
    return { same: null, line: `${schema}: checkpoints without a recorded log (written before 0641)` };
  const spelled = logs.map((l) => `cluster ${l.replace('/', ', topic id ')}`).join(' and ');
  if (logs.length > 1) return { same: false, line: `${schema}: checkpoints of several logs: ${spelled}` };
  if (!log) return { same: null, line: `${schema}: built from ${spelled}` };
  const same = logs[0] === `${log.clusterId}/${log.topicId}`;
  return {
    same,
    line: same ? `${schema}: built from this log` : `${schema}: built from another log, ${spelled}`,
  };
}
