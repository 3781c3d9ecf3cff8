/**
 * A Kafka wait that took longer than it ever should: no answer, no error. kafkajs bounds each
 * request, but not every wait built on several (a transaction, a producer's initialisation, a
 * take-over): after a broker crash one of them was seen never to settle, which held its partition
 * for good (decision 0685). Marked retriable: it is the cluster's fault, never a record's, so the
 * parking rule hands it back to the consumer's own recovery.
 */
export class WaitTimedOut extends Error {
  override readonly name = 'WaitTimedOut';
  readonly retriable = true;

  constructor(what: string, ms: number) {
    super(`${what} did not settle within ${ms} ms`);
  }
}

/**
 * `wait`, or a `WaitTimedOut` after `ms`. The wait itself goes on (a promise cannot be cancelled):
 * callers drop what it used (a producer) so that whatever it still does is fenced or discarded.
 * The wait's eventual failure is caught here, so that it never surfaces as an unhandled rejection.
 */
export function within<T>(wait: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimedOut(what, ms)), ms);
  });
  wait.catch(() => undefined);
  return Promise.race([wait, late]).finally(() => clearTimeout(timer));
}
