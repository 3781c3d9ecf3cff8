import type { LogEvent } from '@app/contracts';
import { startProjector, type RunningProjector } from '../../apps/projector/src/projector.app';
import { runReplay } from '../../apps/projector/src/replay/replay.runner';
import { compareSchemas } from '../../apps/projector/src/verify/verify.compare';
import { eventually, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { appendEvents, dropSchemas, scenario, testConfig, withDb } from './projector.fixtures';
import { decodeQp, TestSmtp } from './smtp.fixture';

const FOLLOW_UP_MS = 1_500;

/**
 * Decision 0622, with the numbers the issue saw: 100 callbacks to a dead receiver ended in 32
 * CallbackFailed and 68 cancelled callbacks, and each address got one email per CallbackFailed.
 * Now: one email per address per disable, saying how many others failed or were cancelled; what
 * comes later is told at most once per ALERT_FOLLOW_UP_MS as a digest; a re-enable followed by a
 * new failure is a new disable and a new email; a replay sends nothing and matches the live rows.
 */
describe('one alert per disable', () => {
  const tk = new TestKafka();
  const smtp = new TestSmtp();
  const replaySchema = uniqueName('alerts_replay');
  let config: ReturnType<typeof testConfig>;
  let projector: RunningProjector | undefined;

  beforeAll(async () => {
    const port = await smtp.start();
    config = testConfig({ smtpUrl: `smtp://127.0.0.1:${port}`, alertFollowUpMs: FOLLOW_UP_MS });
    await tk.createTopic(config.logTopic, 3);
    projector = await startProjector(config, { host: '127.0.0.1', logger: ['error'] });
  });

  afterAll(async () => {
    await projector?.close();
    await smtp.stop();
    await tk.close();
    await dropSchemas(config.schema, replaySchema);
  });

  it('emails each address once per disable, then digests, then once again for a new disable; replay sends nothing', async () => {
    const s = scenario();
    const notify = ['ops@example.test', 'owner@example.test'];
    const mailsTo = (address: string, subject: string) =>
      smtp.received.filter((m) => m.to.includes(address) && decodeQp(m.raw).includes(`Subject: ${subject}`));
    const messages = Array.from({ length: 100 }, () => s.sent());
    const events: LogEvent[] = [s.configured(notify), ...messages];
    messages.forEach((m, i) => {
      if (i < 32) events.push(s.attempted(m, 3, 'failed', 500), s.failed(m, 3));
      else events.push(s.cancelled(m, 1));
    });
    await appendEvents(tk, config.logTopic, events);

    await eventually(
      () => (notify.every((a) => mailsTo(a, 'Callback failed').length === 1) ? true : undefined),
      {
        what: 'the alert to both addresses',
      },
    );
    const alert = decodeQp(mailsTo(notify[0], 'Callback failed')[0].raw);
    expect(alert).toContain('DISABLED');
    expect(alert).toMatch(/Since the disable: 31 other callback\(s\) failed, 68 were cancelled/);
    const { rows: disables } = await withDb((db) =>
      db.query(
        `SELECT count(*)::int AS n FROM "${config.schema}".outbox_events WHERE communication_id = $1`,
        [s.communicationId],
      ),
    );
    expect(disables[0].n).toBe(1);

    // Later cancellations: one digest per address once the interval has passed, with what is new.
    const late = Array.from({ length: 5 }, () => s.sent());
    await appendEvents(tk, config.logTopic, [...late, ...late.map((m) => s.cancelled(m, 0))]);
    await eventually(
      () => (notify.every((a) => mailsTo(a, 'Still disabled').length === 1) ? true : undefined),
      {
        what: 'one digest to both addresses',
      },
    );
    const digest = decodeQp(mailsTo(notify[1], 'Still disabled')[0].raw);
    expect(digest).toMatch(/0 more callback\(s\) failed and 5 more were cancelled/);

    // Re-enabled, then a new failure: a new disable, a new alert.
    const again = s.sent();
    await appendEvents(tk, config.logTopic, [
      s.enabled(),
      again,
      s.attempted(again, 3, 'failed', 503),
      s.failed(again, 3),
    ]);
    await eventually(
      () => (notify.every((a) => mailsTo(a, 'Callback failed').length === 2) ? true : undefined),
      {
        what: 'the second alert to both addresses',
      },
    );
    for (const address of notify) {
      expect(mailsTo(address, 'Callback failed')).toHaveLength(2);
      expect(mailsTo(address, 'Still disabled')).toHaveLength(1);
    }
    const sent = smtp.received.length;

    // A replay records what a live run would send as suppressed, sends nothing, and matches.
    await projector!.close();
    projector = undefined;
    await runReplay({
      kafkaBrokers: config.kafkaBrokers,
      databaseUrl: config.databaseUrl,
      schema: replaySchema,
      logTopic: config.logTopic,
      chunk: 500,
      progress: () => undefined,
    });
    const { rows } = await withDb((db) =>
      db.query(
        `SELECT status, kind, count(*)::int AS n FROM "${replaySchema}".notification_emails GROUP BY 1, 2`,
      ),
    );
    expect(rows).toEqual([{ status: 'suppressed', kind: 'disabled', n: 4 }]);
    expect(smtp.received).toHaveLength(sent);
    const differences = await withDb((db) => compareSchemas(db, config.schema, replaySchema));
    expect(differences.flatMap((t) => t.differences)).toEqual([]);
  }, 90_000);
});
