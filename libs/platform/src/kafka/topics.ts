import { Admin, ITopicConfig } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Topic-level configs, e.g. `{ 'retention.ms': '-1' }`. */
  configs?: Record<string, string>;
}

/** The event log keeps everything forever: it is the source of truth. */
export const FOREVER = { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' } as const;

/** How long `ensureTopics` waits for a topic's partitions to have serving leaders. */
const READY_TIMEOUT_MS = 30_000;
/**
 * Errors a partition answers with while its leader is still being elected or loaded (kafkajs calls
 * NOT_LEADER_OR_FOLLOWER by its old name).
 */
const NOT_READY = new Set(['LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'UNKNOWN_TOPIC_OR_PARTITION']);

/** Replication factor -1: the cluster's `default.replication.factor` (3 on a production cluster). */
export const CLUSTER_DEFAULT_REPLICATION = -1;

/**
 * Creates missing topics with explicit settings, and returns only once every partition of every
 * topic answers offset requests. Without a replication factor they get the cluster's default, so a
 * three-broker cluster keeps three copies of the retry and state topics as of the log. Existing topics are left alone, but one with fewer partitions
 * than asked is reported: keys would map to other partitions than expected.
 */
export async function ensureTopics(
  admin: Admin,
  specs: TopicSpec[],
  replicationFactor = CLUSTER_DEFAULT_REPLICATION,
  readyTimeoutMs = READY_TIMEOUT_MS,
): Promise<void> {
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
      // Not kafkajs's waitForLeaders: it gives up on UNKNOWN_TOPIC_OR_PARTITION, which a broker
      // that has just started answers for a moment after the create; waitUntilServing waits it out.
      await admin.createTopics({ topics: missing, waitForLeaders: false });
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
  await waitUntilServing(
    admin,
    specs.map((s) => s.topic),
    readyTimeoutMs,
  );
}

/**
 * Right after a topic is created, its partitions can answer NOT_LEADER_OR_FOLLOWER for a moment,
 * and kafkajs waits for leaders only when its own create request made the topic, not when another
 * service created it first (two services starting together race on the shared log topic). A
 * service's first offset request would then fail its start-up, so this asks for every partition's
 * end offset until all answer.
 */
async function waitUntilServing(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (e) {
        const type = (e as { type?: string }).type ?? '';
        if (!NOT_READY.has(type)) throw e;
        if (Date.now() > deadline) {
          throw new Error(`topic ${topic} has no serving leader after ${timeoutMs} ms (${type})`, {
            cause: e,
          });
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

/**
 * The parked topic (DEFAULT_TOPICS.parked): one partition, since parking is rare and its order
 * across consumers is useful; kept forever, like the log whose unfinished business it records.
 */
export const parkedTopicSpec = (topic: string): TopicSpec => ({
  topic,
  numPartitions: 1,
  configs: { ...FOREVER },
});
