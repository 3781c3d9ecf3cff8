import { describeLog, LogIdentityReader, sameLog, type LogIdentity } from '@app/platform';
import { Logger } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { IngestConfig } from '../config/ingest.config';
import { AppendGate } from '../domain/append.gate';
import { DedupWindow } from '../domain/dedup.window';
import { rebuildDedupWindow, type RebuildResult } from './dedup.rebuild';

/**
 * Keeps the de-duplication window tied to the log it was read from (decision 0644).
 *
 * The window says "this id is already on the log". That is only true of the log it was read
 * from: if the topic is deleted and recreated while ingest runs, the ids of the old log are not
 * on the new one, and an event re-sent by its producer must be appended again, not dropped as a
 * duplicate. So a duplicate verdict becomes final only after `confirm()`: the log is still the
 * window's, or the window was rebuilt from the new log and the appends must claim again.
 */
export class DedupWindowKeeper {
  private readonly logger = new Logger('dedup-window');
  private readonly reader: LogIdentityReader;
  private log?: LogIdentity;
  private rebuilding?: Promise<unknown>;

  constructor(
    private readonly config: IngestConfig,
    private readonly kafka: Kafka,
    private readonly gate: AppendGate,
  ) {
    this.reader = new LogIdentityReader(kafka);
  }

  /** Reads the current log's window (from `now - DEDUP_WINDOW_SECONDS` to its end) into the gate. */
  async rebuild(): Promise<RebuildResult & { log: LogIdentity }> {
    const { config } = this;
    const log = await this.reader.read(config.logTopic);
    const window = new DedupWindow(config.dedupWindowSeconds * 1000, config.dedupMaxIds);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const result = await rebuildDedupWindow({
        kafka: this.kafka,
        admin,
        logTopic: config.logTopic,
        groupPrefix: config.consumerGroup,
        window,
        windowMs: config.dedupWindowSeconds * 1000,
        timeoutMs: config.dedupRebuildTimeoutMs,
      });
      this.gate.useWindow(window);
      this.log = log;
      return { ...result, log };
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * True when duplicates found in the window may be dropped: the log is still the one the window
   * was read from. False when it is another log: the window has been rebuilt from it, and the
   * caller must release its claims and claim again.
   */
  async confirm(): Promise<boolean> {
    const now = await this.reader.read(this.config.logTopic);
    if (this.log && sameLog(now, this.log)) return true;
    this.rebuilding ??= (async () => {
      const was = this.log;
      const result = await this.rebuild();
      this.logger.warn(
        `the log changed${was ? ` from ${describeLog(was)}` : ''} to ${describeLog(result.log)}: ` +
          `de-duplication window rebuilt from it (${result.ids} ids)`,
      );
    })().finally(() => (this.rebuilding = undefined));
    await this.rebuilding;
    return false;
  }

  async close(): Promise<void> {
    await this.reader.close();
  }
}
