import type { Producer, Transaction } from 'kafkajs';
import { within } from '../resilience/bounded.wait';

/**
 * Longest a transaction may take, its work and commit together: kafkajs bounds each request, and
 * its retries end well within this, but a transaction was seen never to settle after a broker
 * crash (decision 0685). Past it the transaction counts as failed: the caller drops the producer,
 * whose successor's initialisation fences it and resolves what it left open.
 */
export const TRANSACTION_WITHIN_MS = 30_000;

/**
 * Runs `work` in one transaction of `producer` and commits it; if anything fails (the work or the
 * commit) the transaction is aborted and the error rethrown. The abort's own failure is ignored:
 * the producer may be fenced, and its successor's initialisation aborts what is left open. Bounded
 * by TRANSACTION_WITHIN_MS.
 */
export async function inTransaction<T>(
  producer: Producer,
  work: (txn: Transaction) => Promise<T>,
): Promise<T> {
  const txn = await within(producer.transaction(), TRANSACTION_WITHIN_MS, 'beginning a transaction');
  try {
    const result = await within(
      work(txn).then(async (r) => (await txn.commit(), r)),
      TRANSACTION_WITHIN_MS,
      'a transaction',
    );
    return result;
  } catch (e) {
    // Not awaited past its own bound: an abort can hang as the transaction did.
    await within(txn.abort(), 5_000, 'aborting a transaction').catch(() => undefined);
    throw e;
  }
}
