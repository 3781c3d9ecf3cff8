import type { INestApplication } from '@nestjs/common';
import type { LogEvent } from '@app/contracts';
import type { DispatcherConfig } from '../../apps/dispatcher/src/config/dispatcher.config';
import { startDispatcher } from '../../apps/dispatcher/src/dispatcher.app';
import { uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import {
  append,
  awaitAttempts,
  configured,
  messageSent,
  Receiver,
  testConfig,
  type Received,
} from './dispatcher-fixtures';

/**
 * Decision 0620, scaled down 100×: the retry delay is 3 s (the 300 s class), a handed-off attempt
 * is recorded 2 s after its hand-off (the 121 s class: timeout 1 s + 1 s), and receivers ask for
 * 8 s with Retry-After (longer than the delay, within RETRY_AFTER_MAX_MS 12 s). The three classes
 * are written to ONE retry partition longest first, so every record has a later-due one ahead of
 * it: waiting on the head would fire the 3 s and 2 s records seconds late. Each must fire within
 * 1 s of its own due time.
 */
const timings = {
  RETRY_DELAY_MS: '3000',
  CALLBACK_TIMEOUT_MS: '1000',
  BATCH_WAIT_MS: '300',
  RETRY_AFTER_MAX_MS: '12000',
  LOG_PARTITIONS: '1',
};
const RETRY_AFTER_S = 8;
const LATE_BOUND_MS = 1000;

describe('dispatcher: retries fire on time whatever the mix of delays', () => {
  const tk = new TestKafka();
  const receivers: Receiver[] = [];
  let config: DispatcherConfig;
  let app: INestApplication;
  const receiver = async (reply: ConstructorParameters<typeof Receiver>[0]) => {
    const r = await new Receiver(reply).start();
    receivers.push(r);
    return r;
  };
  /** The first request of each callback fails as `first` says; later ones succeed. */
  const failingOnce =
    (first: (r: Received) => { status: number; delayMs?: number; headers?: Record<string, string> }) =>
    (r: Received, _nth: number) => (receiversSeen(r) === 1 ? first(r) : { status: 200 });
  const counts = new Map<string, number>();
  const receiversSeen = (r: Received) => {
    const key = `${r.headers.host}/${String(r.headers['idempotency-key'])}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return counts.get(key)!;
  };

  beforeAll(async () => {
    config = testConfig(timings);
    app = await startDispatcher(config, { logger: ['warn', 'error'] });
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(receivers.map((r) => r.stop()));
    await tk.close();
  });

  it('fires 121 s-class, 300 s-class and Retry-After records each within 1 s of due, written in the worst order', async () => {
    const busy = await receiver(
      failingOnce((r) => ({
        status: r.url.includes('/capped/') ? 429 : 503,
        headers: { 'retry-after': r.url.includes('/capped/') ? '60' : String(RETRY_AFTER_S) },
      })),
    );
    const broken = await receiver(failingOnce(() => ({ status: 500 })));
    const slow = await receiver(() => ({ status: 200, delayMs: 700 }));
    const [a, b, c] = ['after', 'plain', 'handoff'].map((p) => uniqueName(`timing-${p}`));
    const cb = (rx: Receiver, path: string) => [
      { id: 'cb', event: 'MessageSent' as const, method: 'GET' as const, url: `${rx.base}/${path}/\${id}` },
    ];

    // 1. Retry-After records (due in 8 s; one asks for 60 s and gets the 12 s bound).
    await append(tk, config.logTopic, configured(a, cb(busy, 'after')), messageSent(a), messageSent(a));
    const capped = uniqueName('timing-capped');
    await append(tk, config.logTopic, configured(capped, cb(busy, 'capped')), messageSent(capped));
    const firstA = await awaitAttempts(tk, config.logTopic, a, 2, 20_000);
    const firstCapped = await awaitAttempts(tk, config.logTopic, capped, 1, 20_000);
    // 2. Plain retries behind them (due in 3 s).
    await append(tk, config.logTopic, configured(b, cb(broken, 'plain')), messageSent(b), messageSent(b));
    const firstB = await awaitAttempts(tk, config.logTopic, b, 2, 20_000);
    // 3. Hand-offs behind those (recorded 2 s after the hand-off).
    await append(tk, config.logTopic, configured(c, cb(slow, 'handoff')), messageSent(c));

    // The Retry-After is recorded on the attempt, and honoured (bounded) in the next attempt's time.
    for (const [attempts, askedMs, appliedMs] of [
      [firstA, RETRY_AFTER_S * 1000, RETRY_AFTER_S * 1000],
      [firstCapped, 60_000, 12_000],
    ] as const) {
      for (const at of attempts) {
        const ended = Date.parse(at.data.startedAt) + at.data.durationMs;
        expect(at.data).toMatchObject({ outcome: 'retrying', retryAfterMs: askedMs });
        expect(Date.parse(at.data.nextAttemptAt!) - ended).toBeGreaterThanOrEqual(appliedMs - 5);
        expect(Date.parse(at.data.nextAttemptAt!) - ended).toBeLessThanOrEqual(appliedMs + 5);
      }
    }

    // Every retry arrives within 1 s of its due time (the previous attempt's nextAttemptAt).
    const lateness = (
      rx: Receiver,
      first: { data: { callbackId: string; nextAttemptAt: string | null } }[],
    ) =>
      first.map((f) => {
        const second = rx.requests.filter((r) => r.headers['idempotency-key'] === f.data.callbackId)[1];
        return second ? second.at - Date.parse(f.data.nextAttemptAt!) : Number.POSITIVE_INFINITY;
      });
    await awaitAttempts(tk, config.logTopic, a, 4, 30_000);
    await awaitAttempts(tk, config.logTopic, b, 4, 30_000);
    await awaitAttempts(tk, config.logTopic, c, 1, 30_000);
    await awaitAttempts(tk, config.logTopic, capped, 2, 30_000);
    for (const late of [...lateness(busy, [...firstA, ...firstCapped]), ...lateness(broken, firstB)]) {
      expect(late).toBeGreaterThanOrEqual(-50);
      expect(late).toBeLessThanOrEqual(LATE_BOUND_MS);
    }

    // The hand-off record is recorded (not sent again) within 1 s of its own due time.
    const retry = await tk.readAll(config.retryTopic);
    const records = retry
      .map((r) => ({
        offset: Number(r.offset),
        value: JSON.parse(r.value!.toString()) as Record<string, unknown>,
      }))
      .filter((r) => typeof r.value.communicationId === 'string');
    const firstOffset = (comm: string) =>
      Math.min(...records.filter((r) => r.value.communicationId === comm).map((r) => r.offset));
    // Written in the worst order: the longest delay first.
    expect(firstOffset(a)).toBeLessThan(firstOffset(b));
    expect(firstOffset(b)).toBeLessThan(firstOffset(c));
    const inFlight = records.find((r) => r.value.communicationId === c && r.value.inFlight === true)!;
    const log = await tk.readAll(config.logTopic);
    const recorded = log.find((r) => {
      const e = JSON.parse(r.value!.toString()) as LogEvent;
      return e.type === 'CallbackAttempted' && e.communicationId === c;
    })!;
    const handOffLate = Number(recorded.timestamp) - Date.parse(String(inFlight.value.dueAt));
    expect(handOffLate).toBeGreaterThanOrEqual(-50);
    expect(handOffLate).toBeLessThanOrEqual(LATE_BOUND_MS);
    expect(slow.requests).toHaveLength(1);
  }, 90_000);
});
