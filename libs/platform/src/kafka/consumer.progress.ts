/** One partition a consumer owns that made no progress for too long, and why it counts as stuck. */
export interface Stall {
  topic: string;
  partition: number;
  /** `batch`: a batch started and never ended; `lag`: records behind, and no batch since. */
  kind: 'batch' | 'lag';
  /** How long since the partition last moved (a batch ended, or the assignment). */
  sinceMs: number;
}

interface PartitionProgress {
  /** When the partition last moved: a batch ended, or it was assigned. */
  movedAt: number;
  /** Records behind the partition's end as of its last batch (0 until one ends). */
  lag: number;
  /** When the batch now running started, if one is. */
  batchSince?: number;
}

/**
 * Whether each owned partition keeps moving, from the consumer's own batch events (decision
 * 0685). A partition is stuck when a batch of it has run longer than `stallAfterMs`, or when its
 * last batch left it behind the end and no batch has ended since. A partition its service holds on
 * purpose (bounded memory, a pause) is not judged. Pure: times are passed in.
 *
 * What it cannot see: a partition with records waiting whose first batch never comes after an
 * assignment (its lag is unknown until a batch tells it). kafkajs fetches all of a broker's
 * partitions at once, so such a partition is stuck only if its fetch is, and a hung fetch holds
 * batches of others, which the rule above catches.
 */
export class ConsumerProgress {
  private partitions = new Map<string, PartitionProgress>();

  constructor(private readonly stallAfterMs: number) {}

  /** A new assignment: every owned partition starts its clock now. */
  assigned(assignment: Record<string, readonly number[]>, at: number): void {
    this.partitions = new Map();
    for (const [topic, partitions] of Object.entries(assignment))
      for (const partition of partitions) this.partitions.set(key(topic, partition), { movedAt: at, lag: 0 });
  }

  batchStarted(topic: string, partition: number, at: number): void {
    const p = this.partitions.get(key(topic, partition));
    if (p) p.batchSince = at;
  }

  batchEnded(topic: string, partition: number, lag: number, at: number): void {
    const p = this.partitions.get(key(topic, partition));
    if (!p) return;
    p.batchSince = undefined;
    p.movedAt = at;
    p.lag = Number.isFinite(lag) ? lag : 0;
  }

  /** The owned partitions stuck at `now`; `held` ones are waiting on purpose. */
  stalls(now: number, held: (topic: string, partition: number) => boolean): Stall[] {
    const stalls: Stall[] = [];
    for (const [k, p] of this.partitions) {
      const [topic, partition] = split(k);
      if (held(topic, partition)) continue;
      const sinceMs = now - p.movedAt;
      if (p.batchSince !== undefined && now - p.batchSince > this.stallAfterMs)
        stalls.push({ topic, partition, kind: 'batch', sinceMs });
      else if (p.batchSince === undefined && p.lag > 0 && sinceMs > this.stallAfterMs)
        stalls.push({ topic, partition, kind: 'lag', sinceMs });
    }
    return stalls;
  }
}

const key = (topic: string, partition: number) => `${partition}:${topic}`;

function split(k: string): [string, number] {
  const at = k.indexOf(':');
  return [k.slice(at + 1), Number(k.slice(0, at))];
}
