import type { Admin } from 'kafkajs';

/**
 * Whether a dependency answers within `timeoutMs`: true when `probe` resolves in time, false when
 * it rejects or is too slow. Used by health checks and by PoisonGuard (a failure while the store
 * does not answer is transient, whatever the error says).
 */
export async function answersWithin(probe: () => Promise<unknown>, timeoutMs = 3_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      probe().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The Kafka cluster answers a metadata request with at least one broker. */
export const kafkaAnswers = (admin: Admin | undefined, timeoutMs = 3_000): Promise<boolean> =>
  admin
    ? answersWithin(async () => {
        if ((await admin.describeCluster()).brokers.length === 0) throw new Error('no broker');
      }, timeoutMs)
    : Promise.resolve(false);
