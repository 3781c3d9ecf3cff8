import {
  classifyFailure,
  describeFailure,
  type Failure,
  PARKING_POLICY,
  type ParkingPolicy,
} from '@app/platform';

/**
 * The parking rule (decision 0603) for the retry processor, whose chunks fire from a schedule and
 * commit in groups rather than one kafkajs batch at a time: a retry record whose group's
 * transaction keeps failing deterministically is tried alone, and once it failed alone too it is
 * parked instead of tried again, so one record never stops its partition's retries. Transient
 * failures (the broker) are not counted: those groups are rebuilt and retried as before.
 */
export class RetryParking {
  /** `partition:offset` → deterministic failures of transactions holding it, and the last one. */
  private readonly failures = new Map<string, { count: number; failure: Failure }>();

  constructor(
    private readonly storeUp: () => Promise<boolean>,
    private readonly policy: ParkingPolicy = PARKING_POLICY,
  ) {}

  /** A transaction settling these records failed with `error`. */
  async failed(partition: number, offsets: readonly bigint[], error: unknown): Promise<void> {
    const classified = classifyFailure(error);
    if (classified.class === 'transient' || !(await this.storeUp().catch(() => false))) return;
    for (const offset of offsets) {
      const key = `${partition}:${offset}`;
      const count = (this.failures.get(key)?.count ?? 0) + 1;
      const alone = Math.max(0, count - this.policy.batchAttempts);
      this.failures.set(key, { count, failure: describeFailure(error, classified, alone) });
    }
  }

  /** True when the record has failed in groups often enough to be tried on its own. */
  alone(partition: number, offset: bigint): boolean {
    return (this.failures.get(`${partition}:${offset}`)?.count ?? 0) >= this.policy.batchAttempts;
  }

  /** Why to park the record now instead of trying it again, or undefined. */
  parkNow(partition: number, offset: bigint): Failure | undefined {
    const seen = this.failures.get(`${partition}:${offset}`);
    return seen && seen.count >= this.policy.batchAttempts + this.policy.recordAttempts
      ? seen.failure
      : undefined;
  }

  /** The records are settled (committed): nothing more to remember about them. */
  settled(partition: number, offsets: readonly bigint[]): void {
    for (const offset of offsets) this.failures.delete(`${partition}:${offset}`);
  }

  /** The partition moved elsewhere: its counts are the new owner's business. */
  forget(partition: number): void {
    for (const key of this.failures.keys()) if (key.startsWith(`${partition}:`)) this.failures.delete(key);
  }
}
