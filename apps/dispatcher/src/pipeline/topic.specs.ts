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
    | 'logTopic'
    | 'retryTopic'
    | 'stateTopic'
    | 'parkedTopic'
    | 'logPartitions'
    | 'retryDelayMs'
    | 'retryAfterMaxMs'
    | 'maxAttempts'
  >,
  forever: Record<string, string>,
): TopicSpec[] {
  // Every record must outlive its longest wait (a receiver's Retry-After can exceed the delay).
  const longestWait = Math.max(c.retryDelayMs, c.retryAfterMaxMs);
  const retryRetention = Math.max(7 * DAY_MS, 4 * longestWait * c.maxAttempts);
  return [
    { topic: c.logTopic, numPartitions: c.logPartitions, configs: { ...forever } },
    {
      topic: c.retryTopic,
      numPartitions: c.logPartitions,
      configs: { 'cleanup.policy': 'delete', 'retention.ms': String(retryRetention) },
    },
    {
      topic: c.stateTopic,
      numPartitions: c.logPartitions,
      configs: {
        'cleanup.policy': 'compact',
        'min.cleanable.dirty.ratio': '0.1',
        'segment.ms': String(DAY_MS),
        'max.message.bytes': String(2 * 1024 * 1024),
      },
    },
    parkedTopicSpec(c.parkedTopic),
  ];
}
