import type { Producer, Transaction } from 'kafkajs';

/**
 * Runs `work` in one transaction of `producer` and commits it; if anything fails (the work or the
 * commit) the transaction is aborted and the error rethrown. The abort's own failure is ignored:
 * the producer may be fenced, and its successor's initialisation aborts what is left open.
 */
export async function inTransaction<T>(
  producer: Producer,
  work: (txn: Transaction) => Promise<T>,
): Promise<T> {
  const txn = await producer.transaction();
  try {
    const result = await work(txn);
    await txn.commit();
    return result;
  } catch (e) {
    await txn.abort().catch(() => undefined);
    throw e;
  }
}
