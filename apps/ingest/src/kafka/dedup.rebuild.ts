import { headerString } from '@app/platform';
import { LOG_HEADERS } from '@app/contracts';
import { Admin, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DedupWindow } from '../domain/dedup.window';

export interface RebuildOptions {
  kafka: Kafka;
  admin: Admin;
  logTopic: string;
  /** The throw-away consumer group is named `<prefix>-dedup-<uuid>` and deleted afterwards. */
  groupPrefix: string;
  window: DedupWindow;
  windowMs: number;
  timeoutMs: number;
  now?: () => number;
}

export interface RebuildResult {
  ids: number;
  /** False when the timeout came first (e.g. behind a crashed producer's open transaction). */
  caughtUp: boolean;
  lagging: number[];
}

/**
 * Rebuilds the de-duplication window from the event log itself, so it survives restarts with no
 * other store: every log record carries its event id in a header, and Kafka finds the first offset
 * at or after a timestamp. Reads each partition from `now - window` up to the end offset seen at
 * start (records appended meanwhile are this instance's own, or another instance's, see docs).
 */
export async function rebuildDedupWindow(o: RebuildOptions): Promise<RebuildResult> {
  const now = o.now ?? Date.now;
  const since = now() - o.windowMs;
  const [starts, ends] = await Promise.all([
    o.admin.fetchTopicOffsetsByTimestamp(o.logTopic, since),
    o.admin.fetchTopicOffsets(o.logTopic),
  ]);
  const end = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
  const pending = new Set(
    starts.filter((s) => BigInt(s.offset) < end.get(s.partition)!).map((s) => s.partition),
  );
  if (pending.size === 0) return { ids: 0, caughtUp: true, lagging: [] };

  // A throw-away group that starts at the end of the log ("latest") and is moved to the window's
  // start by a seek once it runs: kafkajs has no manual assignment, and admin.setOffsets costs a
  // full fetch wait (seconds). A fetch made before the seek is ignored (see END_BATCH_PROCESS).
  const groupId = `${o.groupPrefix}-dedup-${randomUUID()}`;
  const consumer = o.kafka.consumer({ groupId, maxWaitTimeInMs: 250, sessionTimeout: 10_000 });
  /** Per pending partition: the offset read up to, contiguously from the window's start. */
  const reached = new Map(
    starts.filter((s) => pending.has(s.partition)).map((s) => [s.partition, BigInt(s.offset)]),
  );
  let ids = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: o.logTopic, fromBeginning: false });
    const caughtUp = await new Promise<boolean>((resolve, reject) => {
      timer = setTimeout(() => resolve(false), o.timeoutMs);
      // END_BATCH_PROCESS also fires for batches holding only transaction markers, whose offsets
      // never reach eachBatch; the end offset often is such a marker. Only batches contiguous with
      // what was read from the window's start count, so a fetch made before the seek (at the end of
      // the log, where others may be appending) cannot mark a partition as read.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const at = reached.get(payload.partition);
        if (at === undefined || payload.firstOffset === null || BigInt(payload.firstOffset) > at) return;
        const next = BigInt(payload.lastOffset) + 1n;
        if (next > at) reached.set(payload.partition, next);
        if (next >= end.get(payload.partition)!) pending.delete(payload.partition);
        if (pending.size === 0) resolve(true);
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              const id = headerString(m.headers, LOG_HEADERS.eventId);
              if (id) {
                o.window.remember(id, Number(m.timestamp), now());
                ids += 1;
              }
            }
          },
        })
        .then(() => {
          for (const s of starts)
            if (pending.has(s.partition))
              consumer.seek({ topic: o.logTopic, partition: s.partition, offset: s.offset });
        })
        .catch(reject);
    });
    return { ids, caughtUp, lagging: [...pending] };
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    await o.admin.deleteGroups([groupId]).catch(() => undefined);
  }
}
