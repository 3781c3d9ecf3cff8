import { parkedTopicSpec, type TopicSpec } from '@app/platform';
import type { DispatcherConfig } from '../config/dispatcher.config';

const DAY_MS = 24 * 3600_000;

/**
 * The topics the dispatcher needs, created at start-up when missing (see docs/dispatcher.md):
 * - log: kept forever (the source of truth);
 * - retry: plain retention long enough for every scheduled attempt, never less than 7 days; it also
 *   holds the done markers of the records it settled (decision 0620);
 * - state: compacted, one live record per communication;
 * - parked: records set aside after bounded retries (shared with ingest).
 */
export function dispatcherTopicSpecs(
  c: Pick<
    DispatcherConfig,
    | 'LOG_TOPIC'
    | 'RETRY_TOPIC'
    | 'STATE_TOPIC'
    | 'PARKED_TOPIC'
    | 'LOG_PARTITIONS'
    | 'RETRY_DELAY_MS'
    | 'RETRY_AFTER_MAX_MS'
    | 'MAX_ATTEMPTS'
  >,
  forever: Record<string, string>,
): TopicSpec[] {
  // Every record must outlive its longest wait (a receiver's Retry-After can exceed the delay).
  const longestWait = Math.max(c.RETRY_DELAY_MS, c.RETRY_AFTER_MAX_MS);
  const retryRetention = Math.max(7 * DAY_MS, 4 * longestWait * c.MAX_ATTEMPTS);
  return [
    { topic: c.LOG_TOPIC, numPartitions: c.LOG_PARTITIONS, configs: { ...forever } },
    {
      topic: c.RETRY_TOPIC,
      numPartitions: c.LOG_PARTITIONS,
      configs: { 'cleanup.policy': 'delete', 'retention.ms': String(retryRetention) },
    },
    {
      topic: c.STATE_TOPIC,
      numPartitions: c.LOG_PARTITIONS,
      configs: {
        'cleanup.policy': 'compact',
        'min.cleanable.dirty.ratio': '0.1',
        'segment.ms': String(DAY_MS),
        'max.message.bytes': String(2 * 1024 * 1024),
      },
    },
    parkedTopicSpec(c.PARKED_TOPIC),
  ];
}
