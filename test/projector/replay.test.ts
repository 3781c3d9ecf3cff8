import type { LogEvent } from '@app/contracts';
import { createKafka } from '@app/platform';
import { auditLines } from '../../apps/projector/src/audit/audit.trail';
import { readWholeLog } from '../../apps/projector/src/audit/log.reader';
import { startProjector } from '../../apps/projector/src/projector.app';
import { runReplay } from '../../apps/projector/src/replay/replay.runner';
import { compareSchemas } from '../../apps/projector/src/verify/verify.compare';
import { eventually, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { appendEvents, dropSchemas, scenario, testConfig, withDb } from './projector.fixtures';

const COMMUNICATIONS = 20;
const MESSAGES_EACH = 60;

describe('replay for audit', () => {
  const tk = new TestKafka();
  const config = testConfig({ workers: { projection: true, relay: true, mail: false, recovery: false } });
  const replaySchema = uniqueName('audit');
  const failing = scenario();
  let total = 0;

  beforeAll(async () => {
    await tk.createTopic(config.logTopic, 3);
    const events: LogEvent[] = [];
    for (let c = 0; c < COMMUNICATIONS; c++) {
      const s = c === 0 ? failing : scenario();
      events.push(s.configured());
      for (let i = 0; i < MESSAGES_EACH; i++) {
        const m = s.sent();
        events.push(m, s.attempted(m, 1, 'succeeded', 200));
        if (i % 10 === 0) events.push(s.statusChanged(m.data.messageId, 'delivered', null));
      }
      if (c === 0) {
        const m = s.sent();
        events.push(m, s.attempted(m, 1, 'retrying', 500), s.attempted(m, 2, 'failed', 500), s.failed(m, 2));
      }
      events.push(s.completed(MESSAGES_EACH));
    }
    total = events.length;
    for (let i = 0; i < events.length; i += 500)
      await appendEvents(tk, config.logTopic, events.slice(i, i + 500));
  });
  afterAll(async () => {
    await tk.close();
    await dropSchemas(config.schema, replaySchema);
  });

  it('rebuilds into a fresh schema with no difference to the live projection, and names a corrupted row', async () => {
    const started = Date.now();
    const live = await startProjector(config, { host: '127.0.0.1', logger: ['error'] });
    try {
      // The live run also publishes the CommunicationDisabled of the failing communication.
      await eventually(
        async () => {
          const { rows } = await withDb((db) =>
            db.query(`SELECT sum(events_applied)::int AS n FROM "${config.schema}".checkpoints`),
          );
          const { rows: ob } = await withDb((db) =>
            db.query(`SELECT published_offset FROM "${config.schema}".outbox_events`),
          );
          return rows[0].n === total + 1 && ob[0]?.published_offset ? true : undefined;
        },
        { what: 'the live projection to apply every event', timeoutMs: 60_000 },
      );
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `live projection: ${total + 1} events in ${seconds.toFixed(1)} s incl. start-up = ${Math.round((total + 1) / seconds)} events/s`,
      );
    } finally {
      await live.close();
    }

    const progress: string[] = [];
    const summary = await runReplay({
      kafkaBrokers: config.kafkaBrokers,
      databaseUrl: config.databaseUrl,
      schema: replaySchema,
      logTopic: config.logTopic,
      chunk: 500,
      progress: (l) => progress.push(l),
      progressEveryMs: 500,
    });
    console.log(
      `replay: ${summary.events} events, ${summary.rows} rows, ${summary.seconds.toFixed(1)} s, ${Math.round(summary.eventsPerSecond)} events/s`,
    );
    expect(summary.events).toBe(total + 1);
    expect(progress.at(-1)).toContain(`${total + 1}/`);

    await withDb(async (db) => {
      const same = await compareSchemas(db, config.schema, replaySchema);
      expect(same.flatMap((t) => t.differences)).toEqual([]);
      expect(same.find((t) => t.table === 'callbacks')!.rows[0]).toBeGreaterThan(
        COMMUNICATIONS * MESSAGES_EACH,
      );
      const { rows } = await db.query(`SELECT status FROM "${replaySchema}".notification_emails`);
      expect(rows.map((r) => r.status)).toEqual(['suppressed', 'suppressed']);

      const { rows: victim } = await db.query(
        `SELECT callback_id FROM "${replaySchema}".callbacks ORDER BY callback_id LIMIT 1`,
      );
      await db.query(
        `UPDATE "${replaySchema}".callbacks SET attempts = attempts + 7 WHERE callback_id = $1`,
        [victim[0].callback_id],
      );
      const diff = await compareSchemas(db, config.schema, replaySchema);
      expect(diff.flatMap((t) => t.differences)).toEqual([`callbacks ${victim[0].callback_id}: differs`]);
    });
  });

  it('refuses to replay into a schema that is not fresh', async () => {
    await expect(
      runReplay({
        kafkaBrokers: config.kafkaBrokers,
        databaseUrl: config.databaseUrl,
        schema: replaySchema,
        logTopic: config.logTopic,
        chunk: 500,
        progress: () => undefined,
      }),
    ).rejects.toThrow(/fresh schema/);
  });

  it('prints the ordered trail of one communication from the log, offsets included, secrets redacted', async () => {
    const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: uniqueName('audit') });
    const lines = auditLines(await readWholeLog(kafka, config.logTopic), {
      communicationId: failing.communicationId,
    });
    expect(lines[0]).toMatch(/^\d+@0 .* CommunicationConfigured v1 /);
    expect(lines.filter((l) => l.includes('CommunicationCompleted v1'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('CallbackFailed v1'))).toHaveLength(1);
    expect(lines.join('\n')).not.toMatch(/c2VjcmV0|user:pw|A256GCM/);
    expect(lines[0]).toContain('"password":"[redacted]"');
    expect(lines[0]).toContain('"signingSecret":"[redacted]"');
    const offsets = lines.map((l) => Number(l.split(' ')[0].split('@')[1]));
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });
});
