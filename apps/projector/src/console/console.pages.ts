import { Injectable } from '@nestjs/common';
import type { AttemptDto, CallbackDto } from '../api/api.dto';
import { encodeCursor, ReadService } from '../api/read.service';
import type { AttemptRow, CallbackState } from '../projection/projection.schema';
import { ConsoleQueries, type ListCursor } from './console.queries';
import type { ConsoleSession } from './console.session';
import {
  attemptChart,
  attributeList,
  consoleStatus,
  countsByConfig,
  groupInOrder,
  hostOf,
  shownUrl,
  type StatusFilter,
} from './console.views';

export const PAGE_SIZE = 50;
/** Attempts the chart of a communication is drawn from: the newest ones, read backwards on an index. */
const CHART_ATTEMPTS = 2000;

const statusClass = (s: string) => s.replace(/ /g, '-');
const query = (path: string, params: Record<string, string | undefined>) => {
  const q = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return q.size ? `${path}?${q}` : path;
};

/** An attempt row as the templates show it (the same shape as the API's AttemptDto, URL redacted). */
function attemptView(a: AttemptRow) {
  return {
    attempt: a.attempt,
    startedAt: a.startedAt,
    method: a.method,
    url: shownUrl(a.url),
    statusCode: a.statusCode,
    durationMs: a.durationMs,
    error: a.errorKind ? { kind: a.errorKind, message: a.errorMessage } : null,
    outcome: a.outcome,
    responseSnippet: a.responseSnippet,
    communicationId: a.communicationId,
    messageId: a.messageId,
    event: a.triggerType,
  };
}
const attemptDtoView = (a: AttemptDto & { method?: string }) => ({ ...a, url: shownUrl(a.url) });
const callbackView = (c: CallbackDto) => ({ ...c, url: shownUrl(c.url) });

/** Builds each page's model from the read service and the console's queries. */
@Injectable()
export class ConsolePages {
  constructor(
    private readonly read: ReadService,
    private readonly queries: ConsoleQueries,
  ) {}

  async communications(
    session: ConsoleSession,
    filter: StatusFilter | undefined,
    after: ListCursor | undefined,
  ) {
    const { rows, next } = await this.queries.communications(filter, after, PAGE_SIZE);
    const counts = await this.queries.stateCounts(rows.map((r) => r.communicationId));
    const filters = [
      { value: undefined, label: 'all' },
      { value: 'disabled', label: 'disabled' },
      { value: 'disable-pending', label: 'disable pending' },
      { value: 'active', label: 'active' },
    ];
    return {
      title: 'Communications',
      session,
      filters: filters.map((f) => ({
        label: f.label,
        current: f.value === filter,
        href: query('/console/communications', { status: f.value }),
      })),
      rows: rows.map((r) => {
        const status = consoleStatus(r.status, r.disablePending);
        const of = (state: string) =>
          counts.find((c) => c.communication_id === r.communicationId && c.state === state)?.n ?? 0;
        return {
          id: r.communicationId,
          status,
          statusClass: statusClass(status),
          campaignId: r.campaignId,
          disabledReason: r.status === 'disabled' ? r.disabledReason : null,
          updatedAt: r.updatedAt,
          counts: {
            succeeded: of('succeeded'),
            failed: of('failed'),
            pending: of('pending'),
            cancelled: of('cancelled'),
          },
        };
      }),
      next: next
        ? query('/console/communications', { status: filter, after: encodeCursor(`${next.rank}:${next.id}`) })
        : null,
    };
  }

  async communication(
    session: ConsoleSession,
    id: string,
    state: CallbackState | undefined,
    after: string | undefined,
    pending: boolean,
  ) {
    // The page shows counts per configured callback only: one count of the callbacks, not two.
    const c = await this.read.communication(id, { withCounts: false });
    const [callbacks, byConfig, disables, recent, recoveries] = await Promise.all([
      this.read.communicationCallbacks(id, state, after, PAGE_SIZE),
      this.queries.configCounts(id),
      this.queries.disables(id),
      this.queries.recentAttempts(id, CHART_ATTEMPTS),
      this.read.recoveries(id),
    ]);
    const disablingId = c.disabled?.callbackId ?? null;
    const [disablingCallback] = disablingId ? await this.queries.callbacks([disablingId]) : [];
    const disablingAttempts = disablingId ? await this.queries.attemptsOf([disablingId]) : [];
    const status = consoleStatus(c.status, pending);
    const base = `/console/communications/${encodeURIComponent(id)}`;
    const states: (CallbackState | undefined)[] = [undefined, 'failed', 'cancelled', 'pending', 'succeeded'];
    return {
      title: `Communication ${id}`,
      session,
      c,
      status,
      statusClass: statusClass(status),
      disabling: disablingCallback
        ? {
            callbackId: disablingCallback.callbackId,
            event: disablingCallback.triggerType,
            method: disablingCallback.method,
            url: shownUrl(disablingCallback.url),
            messageId: disablingCallback.messageId,
            attempts: disablingAttempts.map(attemptView),
          }
        : null,
      recoverSince: c.disabled?.at ?? c.enabled?.at ?? c.configuredAt ?? new Date(0).toISOString(),
      byConfig: countsByConfig(
        c.callbacks.map((cb) => cb.id),
        byConfig,
      ),
      chart: attemptChart(
        recent.map((a) => ({
          startedAt: new Date(a.startedAt),
          durationMs: a.durationMs,
          succeeded: a.outcome === 'succeeded',
        })),
      ),
      disables,
      recoveries,
      stateFilters: states.map((s) => ({
        label: s ?? 'all',
        current: s === state,
        href: query(base, { state: s }),
      })),
      callbacks: callbacks.items.map(callbackView),
      callbacksNext: callbacks.nextCursor ? query(base, { state, after: callbacks.nextCursor }) : null,
    };
  }

  async message(session: ConsoleSession, messageId: string) {
    const [m, row] = await Promise.all([
      this.read.messageCallbacks(messageId),
      this.queries.message(messageId),
    ]);
    const methods = new Map(m.callbacks.map((c) => [c.callbackId, c.method]));
    return {
      title: `Message ${messageId}`,
      session,
      m,
      attributes: attributeList(row?.memberAttributes),
      callbacks: m.callbacks.map((c) => ({
        ...callbackView(c),
        history: c.history.map((a) => attemptDtoView({ ...a, method: methods.get(c.callbackId) })),
      })),
    };
  }

  async batch(session: ConsoleSession, batchId: string, after: string | undefined) {
    const b = await this.read.batch(batchId, { after, limit: PAGE_SIZE });
    const completion = await this.queries.completionCallbacks(
      b.communicationId,
      await this.queries.completedEventOf(batchId),
    );
    const attempts = await this.queries.attemptsOf(completion.map((c) => c.callbackId));
    return {
      title: `Batch ${batchId}`,
      session,
      b,
      completion: completion.map((c) => ({
        callbackConfigId: c.callbackConfigId,
        state: c.state,
        history: attempts.filter((a) => a.callbackId === c.callbackId).map(attemptView),
      })),
      members: (b.members ?? []).map((mb) => ({
        messageId: mb.messageId,
        attributes: attributeList(mb.memberAttributes),
      })),
      next: b.membersNextCursor
        ? query(`/console/batches/${encodeURIComponent(batchId)}`, { after: b.membersNextCursor })
        : null,
    };
  }

  async failures(session: ConsoleSession, after: { at: string; id: string } | undefined) {
    const { rows, next } = await this.queries.failedAttempts(after, 100);
    return {
      title: 'Failed attempts',
      session,
      groups: groupInOrder(rows, (a) => hostOf(a.url)).map((g) => ({
        key: g.key,
        items: g.items.map(attemptView),
      })),
      next: next ? query('/console/failures', { after: encodeCursor(`${next.at}|${next.id}`) }) : null,
    };
  }
}
