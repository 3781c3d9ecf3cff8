/**
 * Calls `heartbeat` every `intervalMs` while a long piece of work (HTTP requests, waiting for a
 * retry to come due) runs, so the group does not think the consumer died. A heartbeat error (for
 * example a rebalance) is remembered and reported by `stop()`; the work itself is not interrupted.
 */
export function startHeartbeats(heartbeat: () => Promise<void>, intervalMs: number): { stop(): unknown } {
  let failure: unknown;
  const timer = setInterval(() => {
    heartbeat().catch((e) => (failure ??= e));
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return failure;
    },
  };
}
