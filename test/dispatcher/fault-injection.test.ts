import type { INestApplication } from '@nestjs/common';
import type { LogEvent } from '@app/contracts';
import type { DispatcherConfig } from '../../apps/dispatcher/src/config/dispatcher.config';
import { startDispatcher } from '../../apps/dispatcher/src/dispatcher.app';
import type { TransactionStep } from '../../apps/dispatcher/src/pipeline/transaction.writer';
import { startProjector, type RunningProjector } from '../../apps/projector/src/projector.app';
import { eventually, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { API_KEY, dropSchemas, testConfig as projectorConfig } from '../projector/projector.fixtures';
import {
  append,
  configured,
  eventsOf,
  messageSent,
  ofType,
  Receiver,
  testConfig,
} from './dispatcher-fixtures';

const STEPS: TransactionStep[] = ['begin', 'sent', 'offsets-sent', 'commit', 'committed'];

/**
 * Decision 0621: a transaction that does not commit leaves nothing behind in memory. For each role
 * (the final retry from the retry topic; a first attempt that fails for good, from the log) and
 * each step of its transaction, the transaction that carries a communication's CallbackFailed
 * fails once at that step. Whatever the step, the redo must end in exactly one CallbackFailed,
 * one CommunicationDisabled and the communication disabled everywhere: before the fix, a mark left
 * by the failed transaction made the redo write CallbackCancelled, and nothing was disabled.
 */
describe('dispatcher: a transaction that fails at any step of the final-failure path', () => {
  const tk = new TestKafka();
  let config: DispatcherConfig;
  let dispatcher: INestApplication;
  let projector: RunningProjector;
  const pconfig = projectorConfig();
  let receiver: Receiver;
  const plan = new Map<string, { role: 'log' | 'retry'; step: TransactionStep }>();
  const injected = new Map<string, string>();

  beforeAll(async () => {
    receiver = await new Receiver(() => ({ status: 500, body: 'down' })).start();
    config = testConfig({ MAX_ATTEMPTS: '2', RETRY_DELAY_MS: '600', CALLBACK_TIMEOUT_MS: '500' });
    dispatcher = await startDispatcher(config, {
      logger: ['error'],
      hooks: {
        transactionStep: (step, { role, events }) => {
          for (const e of events) {
            const want = plan.get(e.communicationId);
            if (e.type !== 'CallbackFailed' || !want || injected.has(e.communicationId)) continue;
            if (want.role !== role || want.step !== step) continue;
            injected.set(e.communicationId, `${role}/${step}`);
            throw new Error(`injected failure at ${role}/${step}`);
          }
        },
      },
    });
    pconfig.logTopic = config.logTopic;
    pconfig.logPartitions = config.logPartitions;
    projector = await startProjector(pconfig, { host: '127.0.0.1', logger: ['error'] });
  }, 60_000);

  afterAll(async () => {
    await dispatcher?.close();
    await projector?.close();
    await receiver?.stop();
    await tk.close();
    await dropSchemas(pconfig.schema);
  });

  it('ends in exactly one CallbackFailed and one disable at every step, for both roles', async () => {
    const cases = (['retry', 'log'] as const).flatMap((role) =>
      STEPS.map((step) => ({ role, step, comm: uniqueName(`fault-${role}-${step}`) })),
    );
    for (const c of cases) plan.set(c.comm, { role: c.role, step: c.step });
    const firsts = new Map<string, LogEvent>();
    for (const c of cases) {
      // The retry role fails at attempt 2 of a 500; the log role at attempt 1 (a permanent error).
      const url = c.role === 'retry' ? `${receiver.base}/r/\${id}` : `${receiver.base}/l/\${missing}`;
      const m1 = messageSent(c.comm);
      firsts.set(c.comm, m1);
      await append(
        tk,
        config.logTopic,
        configured(c.comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url }]),
        m1,
      );
    }
    await eventually(
      async () => {
        const disabled = (await tk.readJson<LogEvent>(config.logTopic)).filter(
          (e) => e.type === 'CommunicationDisabled',
        );
        return cases.every((c) => disabled.some((e) => e.communicationId === c.comm)) ? true : undefined;
      },
      { what: 'every communication disabled on the log', timeoutMs: 90_000, intervalMs: 500 },
    );
    expect(Object.fromEntries(injected)).toEqual(
      Object.fromEntries(cases.map((c) => [c.comm, `${c.role}/${c.step}`])),
    );

    // A message after the disable must be cancelled: that proves the dispatcher's state says
    // disabled, and it is the fence after which nothing more can come for the first message.
    for (const c of cases) await append(tk, config.logTopic, messageSent(c.comm));
    for (const c of cases) {
      const events = await eventually(
        async () => {
          const all = await eventsOf(tk, config.logTopic, c.comm);
          return ofType(all, 'CallbackCancelled').length > 0 ? all : undefined;
        },
        { what: `the second message of ${c.comm} cancelled`, timeoutMs: 30_000, intervalMs: 500 },
      );
      const first = firsts.get(c.comm)!;
      const attempts = ofType(events, 'CallbackAttempted').map((a) => a.data.attempt);
      const expected = c.role === 'retry' ? [1, 2] : [1];
      expect({ case: `${c.role}/${c.step}`, attempts }).toEqual({
        case: `${c.role}/${c.step}`,
        attempts: expected,
      });
      const failed = ofType(events, 'CallbackFailed');
      expect({ case: `${c.role}/${c.step}`, failed: failed.length }).toEqual({
        case: `${c.role}/${c.step}`,
        failed: 1,
      });
      expect(failed[0].data.triggerEventId).toBe(first.id);
      expect(ofType(events, 'CommunicationDisabled')).toHaveLength(1);
      const cancelled = ofType(events, 'CallbackCancelled');
      expect(cancelled.map((e) => [e.data.triggerEventId === first.id, e.data.attempts])).toEqual([
        [false, 0],
      ]);
      const view = await fetch(`${projector.url}/v1/communications/${c.comm}`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      }).then((r) => r.json() as Promise<{ status: string; disabled: { callbackId: string } }>);
      expect(view).toMatchObject({ status: 'disabled', disabled: { callbackId: failed[0].data.callbackId } });
    }
  }, 150_000);
});
