import { checkLog, freshSchemaName, mismatchReport, recordedVersus, type CheckpointRow } from './log.check';

describe('checkLog', () => {
  const log = { topic: 'callbacks.log', clusterId: 'cluster-A', topicId: 'topic-2' };
  const ends = new Map([
    [0, 40n],
    [1, 900n],
    [2, 0n],
  ]);
  const row = (partition: number, nextOffset: bigint, topicId: string | null = 'topic-2'): CheckpointRow => ({
    partition,
    nextOffset,
    clusterId: topicId === null ? null : 'cluster-A',
    topicId,
  });

  it('finds nothing wrong when every checkpoint names this log and is within its end', () => {
    const sut = checkLog([row(0, 40n), row(1, 12n), row(2, 0n)], log, ends);
    expect(sut).toEqual({ problems: [], unrecorded: [] });
  });

  it('finds nothing to compare in a fresh projection', () => {
    expect(checkLog([], log, ends)).toEqual({ problems: [], unrecorded: [] });
  });

  it('reports checkpoints of another topic id once, with every partition that names it', () => {
    const sut = checkLog([row(1, 821n, 'topic-1'), row(0, 19n, 'topic-1'), row(2, 0n)], log, ends);
    expect(sut.problems).toEqual([
      { kind: 'other-log', recorded: { clusterId: 'cluster-A', topicId: 'topic-1' }, partitions: [0, 1] },
    ]);
  });

  it('reports checkpoints of another cluster even when the topic id happens to be equal', () => {
    const sut = checkLog([{ ...row(0, 1n), clusterId: 'cluster-B' }], log, ends);
    expect(sut.problems).toMatchObject([{ kind: 'other-log', recorded: { clusterId: 'cluster-B' } }]);
  });

  it('reports a checkpoint beyond the end offset of its partition', () => {
    const sut = checkLog([row(0, 41n), row(1, 900n)], log, ends);
    expect(sut.problems).toEqual([{ kind: 'beyond-end', partition: 0, checkpoint: 41n, end: 40n }]);
  });

  it('reports a checkpoint of a partition the log does not have, unless nothing was applied there', () => {
    const sut = checkLog([row(5, 3n), row(6, 0n)], log, ends);
    expect(sut.problems).toEqual([{ kind: 'missing-partition', partition: 5, checkpoint: 3n }]);
  });

  it('lists checkpoints written before identities were recorded, and still compares their offsets', () => {
    const sut = checkLog([row(0, 19n, null), row(1, 2000n, null)], log, ends);
    expect(sut.unrecorded).toEqual([0, 1]);
    expect(sut.problems).toEqual([{ kind: 'beyond-end', partition: 1, checkpoint: 2000n, end: 900n }]);
  });
});

describe('mismatchReport', () => {
  const log = { topic: 'callbacks.log', clusterId: 'cluster-A', topicId: 'topic-2' };
  const now = new Date('2026-11-30T10:00:00Z');

  it('names the schema, the topic, what was expected, what was found and both ways out', () => {
    const sut = mismatchReport({
      schema: 'callbacks',
      log,
      now,
      problems: [
        { kind: 'other-log', recorded: { clusterId: 'cluster-A', topicId: 'topic-1' }, partitions: [0, 1] },
        { kind: 'beyond-end', partition: 3, checkpoint: 1212n, end: 40n },
      ],
    });
    expect(sut).toContain('schema "callbacks"');
    expect(sut).toContain(
      'expect cluster cluster-A, topic id topic-1; found cluster cluster-A, topic id topic-2',
    );
    expect(sut).toContain(
      "partition 3: the checkpoint (next offset 1212) is beyond the partition's end offset 40",
    );
    expect(sut).toContain('npm run replay -- --schema callbacks_20261130 --topic callbacks.log');
    expect(sut).toContain('DB_SCHEMA=callbacks_20261130');
    expect(sut).toContain('ON_LOG_MISMATCH=rebuild');
  });

  it('suggests a fresh schema name that stays a valid identifier for long names', () => {
    expect(freshSchemaName('x'.repeat(63), now)).toHaveLength(63);
  });
});

describe('recordedVersus', () => {
  const log = { topic: 'callbacks.log', clusterId: 'cluster-A', topicId: 'topic-2' };
  const row = (partition: number, topicId: string | null): CheckpointRow => ({
    partition,
    nextOffset: 1n,
    clusterId: topicId === null ? null : 'cluster-A',
    topicId,
  });

  it('says a schema was built from this log when every checkpoint names it', () => {
    expect(recordedVersus('callbacks', [row(0, 'topic-2'), row(1, 'topic-2')], log)).toEqual({
      same: true,
      line: 'callbacks: built from this log',
    });
  });

  it('names the other log a schema was built from', () => {
    expect(recordedVersus('callbacks', [row(0, 'topic-1')], log)).toEqual({
      same: false,
      line: 'callbacks: built from another log, cluster cluster-A, topic id topic-1',
    });
  });

  it('flags checkpoints of several logs in one schema', () => {
    expect(recordedVersus('s', [row(0, 'topic-1'), row(1, 'topic-2')], log).same).toBe(false);
  });

  it('cannot say anything without checkpoints, without recorded logs, or without the current log', () => {
    expect(recordedVersus('s', [], log).same).toBeNull();
    expect(recordedVersus('s', [row(0, null)], log).same).toBeNull();
    expect(recordedVersus('s', [row(0, 'topic-2')], null)).toEqual({
      same: null,
      line: 's: built from cluster cluster-A, topic id topic-2',
    });
  });
});
