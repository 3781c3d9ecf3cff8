/** The result of one promise after a bounded wait: its value, or still running. */
export type Settled<T> = { done: true; value: T } | { done: false };

/**
 * Waits until every promise settled or `ms` passed, whichever comes first. A rejection before the
 * deadline rejects (the caller's batch fails as it would without a deadline); one after it is left
 * to whoever keeps the promise.
 */
export async function settleWithin<T>(promises: Promise<T>[], ms: number): Promise<Settled<T>[]> {
  const results: Settled<T>[] = promises.map(() => ({ done: false }));
  if (promises.length === 0) return results;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  const all = Promise.all(
    promises.map((p, i) =>
      p.then((value) => {
        results[i] = { done: true, value };
      }),
    ),
  );
  try {
    await Promise.race([all, deadline]);
  } finally {
    clearTimeout(timer);
  }
  // A copy: later settlements must not change what the caller decided on.
  return results.map((r) => ({ ...r }));
}
