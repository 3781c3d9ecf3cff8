import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { type Failure, parkedRecordOf, parkInTransaction } from '@app/platform';
import type { MemberRole } from './co-partition.assigner';
import type { PartitionLease, PartitionRegistry } from './partition.registry';

/**
 * Sets one log or retry record aside on the parked topic, in one transaction with the offset past
 * it, on the partition's own transactional producer (so a new owner fences this too). Called by
 * the PoisonGuard once the record failed on its own, deterministically, a bounded number of times.
 */
export class RecordParker {
  constructor(
    private readonly registry: PartitionRegistry,
    private readonly parkedTopic: string,
    private readonly groupId: string,
  ) {}

  async park(role: MemberRole, p: EachBatchPayload, m: KafkaMessage, failure: Failure): Promise<void> {
    const { topic, partition } = p.batch;
    let used: PartitionLease | undefined;
    try {
      const lease = (used = await this.registry.lease(role, partition));
      // Already committed by this or a previous owner (a commit reported as failed may have landed).
      if (BigInt(m.offset) >= lease.nextOffset) {
        const record = parkedRecordOf({ topic, partition, ...m }, `dispatcher-${role}`, failure, new Date());
        await parkInTransaction(lease.producer, this.parkedTopic, record, {
          groupId: this.groupId,
          topic,
          partition,
          offset: m.offset,
        });
        this.registry.advance(role, partition, BigInt(m.offset) + 1n);
      }
    } catch (e) {
      await this.registry.release(role, partition, used?.producer);
      throw e;
    }
    p.resolveOffset(m.offset);
  }
}
