import filterAbortedMessages from 'kafkajs/src/consumer/filterAbortedMessages';
import { abortedRecordOffsets, type FetchedRecord } from './aborted.records';

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);
const record = (offset: number, producerId: string, inTransaction = true): FetchedRecord => ({
  offset: String(offset),
  key: Buffer.from('k'),
  isControlRecord: false,
  batchContext: { producerId, inTransaction },
});
const marker = (offset: number, producerId: string, key: Buffer): FetchedRecord => ({
  ...record(offset, producerId),
  key,
  isControlRecord: true,
});

describe('abortedRecordOffsets (read_committed, as the Java consumer decides)', () => {
  // Producers A and B both aborted a transaction begun before the fetch (at 10 and 11); the fetch
  // starts at 20 with a record of B, as after resuming at a committed offset.
  const fetched = [
    record(20, 'B'),
    record(21, 'A'),
    marker(22, 'A', ABORT),
    record(23, 'B'),
    marker(24, 'B', ABORT),
  ];
  const aborted = [
    { producerId: 'A', firstOffset: '10' },
    { producerId: 'B', firstOffset: '11' },
  ];

  test('given a fetch starting inside two aborted transactions, then the records of both are aborted', () => {
    expect([...abortedRecordOffsets(fetched, aborted)]).toEqual(['20', '21', '23']);
  });

  test('given the same fetch, kafkajs 2.2.4 lets a record of the second transaction through (why the patch exists)', () => {
    const kept = (
      filterAbortedMessages({ messages: fetched, abortedTransactions: aborted }) as FetchedRecord[]
    )
      .filter((r) => !r.isControlRecord)
      .map((r) => r.offset);
    expect(kept).toEqual(['20']);
  });

  test('given the aborted list out of order, then it is applied by first offset', () => {
    expect([...abortedRecordOffsets(fetched, [...aborted].reverse())]).toEqual(['20', '21', '23']);
  });

  test('given a committed transaction of the same producer after its aborted one, then only the aborted records are', () => {
    const records = [record(5, 'A'), marker(6, 'A', ABORT), record(7, 'A'), marker(8, 'A', COMMIT)];
    expect([...abortedRecordOffsets(records, [{ producerId: 'A', firstOffset: '5' }])]).toEqual(['5']);
  });

  test('given records outside transactions or of other producers, then none is aborted', () => {
    const records = [record(5, 'A', false), record(6, 'C'), marker(7, 'C', COMMIT)];
    expect([...abortedRecordOffsets(records, [{ producerId: 'A', firstOffset: '5' }])]).toEqual([]);
  });

  test('given no aborted transaction listed, then nothing is aborted', () => {
    expect(abortedRecordOffsets(fetched, []).size).toBe(0);
  });
});
