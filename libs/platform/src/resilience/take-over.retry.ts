/**
 * Taking a partition over (initialising its transactional producer, which fences the previous
 * owner and aborts the transaction it left open) is tried again after a pause while the
 * assignment that asked for it stands. Waiting for the partition's next batch to try again is not
 * enough: while a dead owner's transaction is open, read_committed fetches stop at it and no batch
 * comes, so one failed try would leave the partition stuck until the broker's transaction timeout
 * (decision 0684).
 */
export interface TakeOverRetry {
  /** Tries at most (bounded: the broker's transaction timeout ends the open transaction anyway). */
  tries: number;
  pauseMs: number;
  /** False once the assignment changed or the service stops: trying again is someone else's job. */
  current: () => boolean;
  /** Told of each failed try (`last`: no more tries). */
  failed: (e: Error, attempt: number, last: boolean) => void;
}

/** Runs `takeOver` until it succeeds, `current()` turns false, or `tries` failed. True if it succeeded. */
export async function takeOverPatiently(
  takeOver: () => Promise<unknown>,
  retry: TakeOverRetry,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<boolean> {
  for (let attempt = 1; retry.current(); attempt += 1) {
    try {
      await takeOver();
      return true;
    } catch (e) {
      const last = attempt >= retry.tries;
      retry.failed(e as Error, attempt, last);
      if (last) return false;
      await sleep(retry.pauseMs);
    }
  }
  return false;
}
