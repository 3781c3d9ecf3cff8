/**
 * Which log a piece of derived data came from. A topic name is not enough: a topic deleted and
 * recreated under the same name, or the same name on another cluster behind the same
 * KAFKA_BROKERS, is another log whose offsets start again at 0. Kafka gives every cluster a random
 * id and every topic a random id at creation (KIP-516), so the pair names one log for good.
 */
export interface LogIdentity {
  /** The topic name (for people; the ids are what is compared). */
  topic: string;
  clusterId: string;
  /** Kafka's spelling of the topic id (`kafka-topics.sh --describe` prints the same). */
  topicId: string;
}

/** Kafka header naming the log a derived record (retry, state) belongs to: its `logMarker`. */
export const LOG_MARKER_HEADER = 'log-identity';

/** The compact form written on derived records: `<clusterId>/<topicId>`. */
export const logMarker = (log: Pick<LogIdentity, 'clusterId' | 'topicId'>): string =>
  `${log.clusterId}/${log.topicId}`;

export const sameLog = (
  a: Pick<LogIdentity, 'clusterId' | 'topicId'>,
  b: Pick<LogIdentity, 'clusterId' | 'topicId'>,
): boolean => a.clusterId === b.clusterId && a.topicId === b.topicId;

/** One line for people: `callbacks.log (cluster …, topic id …)`. */
export const describeLog = (log: LogIdentity): string =>
  `${log.topic} (cluster ${log.clusterId}, topic id ${log.topicId})`;

/**
 * Why a log's identity could not be read. `topic-not-found` is expected while a topic is being
 * recreated; `no-topic-ids` means a broker older than Kafka 2.8 (or one that does not assign ids),
 * where the check cannot be made at all.
 */
export class LogIdentityError extends Error {
  constructor(
    readonly code: 'topic-not-found' | 'no-topic-ids' | 'not-authorized',
    message: string,
  ) {
    super(message);
    this.name = 'LogIdentityError';
  }
}
