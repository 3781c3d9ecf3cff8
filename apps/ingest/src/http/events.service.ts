import { LIMITS, LogEvent, loggableEventId, nestsDeeperThan } from '@app/contracts';
import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { IngestConfig } from '../config/ingest.config';
import { AppendGate } from '../domain/append.gate';
import { EventAdmission } from '../event-admission.service';
import { DedupWindowKeeper } from '../kafka/dedup.keeper';
import { LogAppender } from '../kafka/log.appender';
import { IngestMetrics } from '../observability/ingest.metrics';

export interface ItemIssue {
  /** Position in the request (0 for a single event). */
  index: number;
  /** Rejection code (see docs/contracts.md): `invalid-data`, `unknown-type`, ... */
  code: string;
  path: string;
  message: string;
}

export interface IntakeResult {
  accepted: number;
  duplicates: number;
  events: { id: string; outcome: 'appended' | 'duplicate' }[];
}

const fail = (status: HttpStatus, code: string, message: string, issues?: ItemIssue[]) =>
  new HttpException({ error: { code, message, ...(issues && { issues }) } }, status);

/**
 * HTTP intake: the same admission, sealing and de-duplication as the Kafka path. Every item is
 * validated before anything is appended, so a request with one bad item appends nothing.
 */
export class EventsService {
  private readonly logger = new Logger('http-intake');

  constructor(
    private readonly config: IngestConfig,
    private readonly admission: EventAdmission,
    private readonly gate: AppendGate,
    private readonly appender: LogAppender,
    private readonly metrics: IngestMetrics,
    private readonly dedup: DedupWindowKeeper,
  ) {}

  async intake(body: unknown): Promise<IntakeResult> {
    if (typeof body !== 'object' || body === null) {
      throw fail(
        HttpStatus.BAD_REQUEST,
        'invalid-body',
        'the body must be one event (object) or an array of events',
      );
    }
    const items: unknown[] = Array.isArray(body) ? body : [body];
    if (items.length === 0) throw fail(HttpStatus.BAD_REQUEST, 'empty', 'the array holds no event');
    if (items.length > this.config.httpMaxEvents) {
      throw fail(
        HttpStatus.BAD_REQUEST,
        'too-many-events',
        `at most ${this.config.httpMaxEvents} events per request`,
      );
    }

    const events: LogEvent[] = [];
    const issues: ItemIssue[] = [];
    const receivedAt = Date.now();
    items.forEach((item, index) => {
      // Checked before anything recursive touches it: JSON.stringify of a deeply nested value
      // overflows the stack (a 500 instead of a 400).
      if (nestsDeeperThan(item, LIMITS.maxJsonDepth)) {
        const message = `the event nests deeper than ${LIMITS.maxJsonDepth} levels`;
        this.metrics.rejected.inc({ source: 'http', code: 'too-deep' });
        issues.push({ index, code: 'too-deep', path: '(root)', message });
        return;
      }
      // Re-serialised so the same byte-size limit applies as on Kafka.
      const bytes = Buffer.from(JSON.stringify(item) ?? '');
      const verdict = this.admission.admit(bytes, receivedAt);
      if (verdict.ok) {
        events.push(verdict.event);
        return;
      }
      const { code, message } = verdict.rejection;
      this.metrics.rejected.inc({ source: 'http', code });
      const id = loggableEventId(bytes);
      this.logger.warn({ message: `rejected item ${index}: ${code}`, eventId: id });
      const found = verdict.rejection.issues;
      if (found.length === 0) issues.push({ index, code, path: '(root)', message });
      else for (const i of found) issues.push({ index, code, path: i.path, message: i.message });
    });
    if (issues.length > 0) {
      throw fail(
        HttpStatus.BAD_REQUEST,
        'invalid-events',
        'one or more events are invalid; none was appended',
        issues,
      );
    }

    let fresh: LogEvent[];
    let outcomes: IntakeResult['events'];
    let ids: string[];
    for (;;) {
      const owner = {};
      fresh = [];
      outcomes = [];
      for (const e of events) {
        const isNew = await this.gate.claim(e.id, owner);
        if (isNew) fresh.push(e);
        outcomes.push({ id: e.id, outcome: isNew ? 'appended' : 'duplicate' });
      }
      ids = fresh.map((e) => e.id);
      // A duplicate is only one of the log the window was read from; else claim again (0644).
      if (fresh.length === events.length || (await this.confirmDuplicates(ids))) break;
      this.gate.aborted(ids);
    }
    try {
      await this.appender.append(fresh);
    } catch (e) {
      this.gate.aborted(ids);
      this.metrics.failedTransactions.inc({ source: 'http' });
      this.logger.error(`append failed (${(e as Error).name}); answered 503`);
      throw fail(
        HttpStatus.SERVICE_UNAVAILABLE,
        'log-unavailable',
        'the event log could not be written; retry later',
      );
    }
    this.gate.committed(ids);
    for (const e of fresh) this.metrics.appended.inc({ source: 'http', type: e.type });
    const duplicates = events.length - fresh.length;
    if (duplicates > 0) this.metrics.duplicates.inc({ source: 'http' }, duplicates);
    this.metrics.dedupIds.set(this.gate.window.size);
    return { accepted: fresh.length, duplicates, events: outcomes };
  }

  /** `DedupWindowKeeper.confirm`, answering 503 (claims released) when the log cannot be read. */
  private async confirmDuplicates(claimed: string[]): Promise<boolean> {
    try {
      return await this.dedup.confirm();
    } catch (e) {
      this.gate.aborted(claimed);
      this.logger.error(`could not confirm the log's identity (${(e as Error).name}); answered 503`);
      throw fail(
        HttpStatus.SERVICE_UNAVAILABLE,
        'log-unavailable',
        'the event log could not be read; retry later',
      );
    }
  }
}
