import type { FailureClass } from './failure.classify';

/**
 * How a consumer treats a unit of work (a batch of records) that fails: bounded retries, then each
 * record on its own, then the record that still fails is parked. Data, not code, so it is stated
 * once and tested as such. Pure.
 */
export interface ParkingPolicy {
  /** Times a whole batch is tried while it fails deterministically, before its records are isolated. */
  batchAttempts: number;
  /** Times one isolated record is tried while it fails deterministically, before it is parked. */
  recordAttempts: number;
  /** Pause before the second try; it doubles for every further one, up to `maxPauseMs`. */
  firstPauseMs: number;
  maxPauseMs: number;
}

export const PARKING_POLICY: ParkingPolicy = {
  batchAttempts: 3,
  recordAttempts: 2,
  firstPauseMs: 200,
  maxPauseMs: 2_000,
};

/**
 * What to do after the `attempt`-th try (1-based) failed.
 * - `rethrow`: transient; the consumer's own recovery waits and tries again, without limit.
 * - `retry`: deterministic so far, pause and try the same again.
 * - `isolate`: the batch keeps failing; try its records one by one.
 * - `park`: the isolated record keeps failing; set it aside with the reason and go on.
 */
export type NextStep =
  { do: 'rethrow' } | { do: 'retry'; pauseMs: number } | { do: 'isolate' } | { do: 'park' };

export function nextStep(
  policy: ParkingPolicy,
  unit: 'batch' | 'record',
  failure: FailureClass,
  attempt: number,
): NextStep {
  if (failure === 'transient') return { do: 'rethrow' };
  const limit = unit === 'batch' ? policy.batchAttempts : policy.recordAttempts;
  if (attempt < limit) return { do: 'retry', pauseMs: pauseBefore(policy, attempt + 1) };
  return unit === 'batch' ? { do: 'isolate' } : { do: 'park' };
}

/** The pause before try number `attempt` (2 or more). */
export const pauseBefore = (policy: ParkingPolicy, attempt: number): number =>
  Math.min(policy.maxPauseMs, policy.firstPauseMs * 2 ** Math.max(0, attempt - 2));
