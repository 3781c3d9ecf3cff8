import { FOREVER, parkedTopicSpec, TopicSpec } from '@app/platform';
import type { IngestConfig } from '../config/ingest.config';

/**
 * The topics ingest creates at start-up when they are missing (existing ones are left as they are).
 * The log keeps everything forever (it is the source of truth); the inbound topic only has to hold
 * events until ingest has read them; the DLQ keeps rejected input long enough for someone to look.
 */
export function ingestTopicSpecs(
  t: Pick<
    IngestConfig,
    | 'inboundTopic'
    | 'inboundPartitions'
    | 'inboundRetentionMs'
    | 'deadLetterTopic'
    | 'deadLetterPartitions'
    | 'deadLetterRetentionMs'
    | 'logTopic'
    | 'logPartitions'
    | 'parkedTopic'
  >,
): TopicSpec[] {
  return [
    {
      topic: t.inboundTopic,
      numPartitions: t.inboundPartitions,
      configs: { 'retention.ms': String(t.inboundRetentionMs), 'cleanup.policy': 'delete' },
    },
    {
      topic: t.deadLetterTopic,
      numPartitions: t.deadLetterPartitions,
      // Twice the broker's default record limit: a dead letter is at most the head of the original
      // record plus headers (quarantineCopy), and a copy that cannot be written would stall the
      // consumer on that record.
      configs: {
        'retention.ms': String(t.deadLetterRetentionMs),
        'cleanup.policy': 'delete',
        'max.message.bytes': String(2 * 1024 * 1024),
      },
    },
    { topic: t.logTopic, numPartitions: t.logPartitions, configs: { ...FOREVER } },
    parkedTopicSpec(t.parkedTopic),
  ];
}
