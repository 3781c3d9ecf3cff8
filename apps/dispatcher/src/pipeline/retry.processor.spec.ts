import type { EachBatchPayload } from 'kafkajs';
import type { AttemptHandOff } from './attempt.hand-off';
import type { CallbackAttemptRunner } from './callback-attempt.runner';
import type { PartitionLease, PartitionRegistry } from './partition.registry';
import type { ProcessorContext } from './processor.context';
import { RetryProcessor } from './retry.processor';
import type { RetryParking } from './retry.parking';

/**
 * How the retry consumer's batches meet a partition's schedule after a take-over (the part of the
 * processor that needs no Kafka: the lease, the seek and the metrics are recorded fakes). Records
 * are due in an hour, so nothing fires here.
 */
function processorAt(committed: bigint, end: bigint) {
  const seeks: [number, bigint][] = [];
  const resolved: string[] = [];
  let scheduled = 0;
  const lease = { nextOffset: committed, endOffset: end, producer: {} } as unknown as PartitionLease;
  const registry = {
    lease: () => Promise.resolve(lease),
    isOwnRecord: () => true,
  } as unknown as PartitionRegistry;
  const metric = { inc: () => undefined, observe: () => undefined, set: (n: number) => (scheduled = n) };
  const ctx = {
    topics: { retry: 'retry' },
    groupId: 'dispatcher',
    metrics: new Proxy({}, { get: () => metric }),
    heartbeatMs: 1000,
  } as unknown as ProcessorContext;
  const sut = new RetryProcessor(ctx, registry, {} as CallbackAttemptRunner, {} as AttemptHandOff, {
    maxBufferedBytes: 1 << 20,
    seek: (partition, offset) => seeks.push([partition, offset]),
    parking: {} as RetryParking,
  });
  /** A fetch of `count` retry records of partition 0 from `from` on (stale: a seek is pending). */
  const batch = (from: number, count: number, stale = false) => {
    const dueAt = new Date(Date.now() + 3_600_000).toISOString();
    const messages = Array.from({ length: count }, (_, i) => ({
      offset: String(from + i),
      key: null,
      headers: {},
      value: Buffer.from(JSON.stringify({ dueAt })),
    }));
    return {
      batch: {
        topic: 'retry',
        partition: 0,
        messages,
        firstOffset: () => String(from),
        lastOffset: () => String(from + count - 1),
      },
      heartbeat: () => Promise.resolve(),
      isRunning: () => true,
      isStale: () => stale,
      resolveOffset: (o: string) => resolved.push(o),
    } as unknown as EachBatchPayload;
  };
  return { sut, batch, seeks, resolved, scheduled: () => scheduled };
}

describe('retry processor: batches after a take-over', () => {
  it('given a partition taken over at its committed offset, when a batch fetched for the previous schedule starts further on, then it is not filed and the consumer is pointed back', async () => {
    const { sut, batch, seeks, resolved, scheduled } = processorAt(10n, 25n);
    await sut.open(0);
    await sut.handle(batch(20, 5));
    expect({ seeks, resolved, scheduled: scheduled() }).toEqual({
      seeks: [[0, 10n]],
      resolved: [],
      scheduled: 0,
    });
    // The fetch from the committed offset: records 10..24, none skipped.
    await sut.handle(batch(10, 15));
    expect({ resolved, scheduled: scheduled() }).toEqual({ resolved: ['24'], scheduled: 15 });
    await sut.stop();
  });

  it('given markers fetched for the previous schedule, then they do not move the read position over unread records', async () => {
    const { sut, batch, scheduled } = processorAt(10n, 25n);
    await sut.open(0);
    sut.passed(0, '20', '24');
    await sut.handle(batch(10, 10));
    expect(scheduled()).toBe(10);
    await sut.stop();
  });

  it('given a batch fetched after the seek still starts past the position, then the records between are gone from the broker and reading goes on', async () => {
    const { sut, batch, seeks, resolved, scheduled } = processorAt(10n, 40n);
    await sut.open(0);
    await sut.handle(batch(30, 5));
    expect(seeks).toEqual([[0, 10n]]);
    await sut.handle(batch(30, 5)); // fetched from 10 after the seek: 10..29 were deleted (retention)
    expect({ seeks, resolved, scheduled: scheduled() }).toEqual({
      seeks: [[0, 10n]],
      resolved: ['34'],
      scheduled: 5,
    });
    await sut.stop();
  });

  it('given a seek still pending, when a batch fetched before it arrives, then it is left for the fetch after the seek', async () => {
    const { sut, batch, seeks, resolved, scheduled } = processorAt(10n, 25n);
    await sut.open(0);
    await sut.handle(batch(20, 5, true));
    expect({ seeks, resolved, scheduled: scheduled() }).toEqual({ seeks: [], resolved: [], scheduled: 0 });
    await sut.stop();
  });
});
