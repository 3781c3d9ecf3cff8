import { Admin, ITopicConfig } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Topic-level configs, e.g. `{ 'retention.ms': '-1' }`. */
  configs?: Record<string, string>;
}

/** The event log keeps everything forever: it is the source of truth. */
export const FOREVER = { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' } as const;

/**
 * Creates missing topics with explicit settings. Existing topics are left alone, but one with
 * fewer partitions than asked is reported: keys would map to other partitions than expected.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[], replicationFactor = 1): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = specs
    .filter((s) => !existing.has(s.topic))
    .map((s) => ({
      topic: s.topic,
      numPartitions: s.numPartitions,
      replicationFactor,
      configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
    }));
  if (missing.length > 0) {
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
    } catch (e) {
      // Another instance may have created it between list and create.
      if ((e as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw e;
    }
  }
  const present = specs.filter((s) => existing.has(s.topic));
  if (present.length > 0) {
    const meta = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
    for (const t of meta.topics) {
      const want = specs.find((s) => s.topic === t.name)!;
      if (t.partitions.length < want.numPartitions) {
        throw new Error(
          `topic ${t.name} has ${t.partitions.length} partitions, fewer than the configured ${want.numPartitions}`,
        );
      }
    }
  }
}
