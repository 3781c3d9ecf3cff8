import { LogIdentityReader } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { ProjectionApplier } from '../../apps/projector/src/projection/projection.applier';
import { createDataSource } from '../../apps/projector/src/database/data-source.factory';
import { startProjector, type RunningProjector } from '../../apps/projector/src/projector.app';
import { eventually } from '../support/environment';
import { TestKafka } from '../support/kafka';
import {
  appendEvents,
  dropSchemas,
  dumpAll,
  dumpTable,
  scenario,
  testConfig,
  withDb,
} from './projector.fixtures';

const TABLES = [
  'communications',
  'messages',
  'batches',
  'batch_members',
  'callbacks',
  'attempts',
  'delivery_statuses',
  'outbox_events',
  'notification_emails',
];

describe('the projection of a communication', () => {
  const tk = new TestKafka();
  const config = testConfig({ logPartitions: 1 });
  let projector: RunningProjector | undefined;
  const s = scenario();
  const m1 = s.sent();
  const m2 = s.sent(randomUUID(), { studentId: 's-2', id: 'member-own-id' });
  const events = [
    s.configured(),
    m1,
    s.statusChanged(m1.data.messageId, 'queued', null),
    s.statusChanged(m1.data.messageId, 'delivered', 'queued'),
    s.attempted(m1, 1, 'retrying', 503),
    s.attempted(m1, 2, 'succeeded', 200),
    m2,
    s.completed(2),
  ];

  beforeAll(async () => {
    await tk.createTopic(config.logTopic, 1);
    await appendEvents(tk, config.logTopic, events);
    projector = await startProjector(config, { host: '127.0.0.1', logger: ['error'] });
  });
  afterAll(async () => {
    await projector?.close();
    await tk.close();
    await dropSchemas(config.schema);
  });

  const checkpoint = () =>
    withDb(async (db) => {
      const { rows } = await db.query(
        `SELECT next_offset, events_applied, events_skipped FROM "${config.schema}".checkpoints`,
      );
      return rows[0] as { next_offset: string; events_applied: string; events_skipped: string } | undefined;
    });

  it('produces the expected rows for configuration, messages, statuses, attempts and completion', async () => {
    await eventually(
      async () => ((await checkpoint())?.next_offset === String(events.length) ? true : undefined),
      {
        what: 'the projection to reach the log end',
      },
    );
    await withDb(async (db) => {
      const q = (sql: string) => db.query(sql.replaceAll('$s', `"${config.schema}"`)).then((r) => r.rows);
      const [comm] = await q(`SELECT * FROM $s.communications`);
      expect(comm).toMatchObject({
        communication_id: s.communicationId,
        status: 'active',
        campaign_id: 'camp-1',
      });
      expect(comm.callbacks).toEqual([
        {
          id: 'sent-cb',
          event: 'MessageSent',
          method: 'GET',
          urlTemplate: 'https://app.example.test/sent/${id}',
          hasCredentials: true,
          signed: false,
        },
        {
          id: 'done-cb',
          event: 'CommunicationCompleted',
          method: 'POST',
          urlTemplate: 'https://app.example.test/done',
          hasCredentials: false,
          signed: true,
        },
      ]);
      const messages = await q(
        `SELECT message_id, batch_id, member_attributes, delivery_status, sent_at FROM $s.messages ORDER BY first_event_at`,
      );
      expect(messages).toEqual([
        expect.objectContaining({
          message_id: m1.data.messageId,
          batch_id: s.batchId,
          delivery_status: 'delivered',
          member_attributes: { studentId: 's-1' },
        }),
        expect.objectContaining({
          message_id: m2.data.messageId,
          member_attributes: { studentId: 's-2', id: 'member-own-id' },
        }),
      ]);
      expect(await q(`SELECT status, message_count FROM $s.batches`)).toEqual([
        { status: 'complete', message_count: 2 },
      ]);
      expect(await q(`SELECT count(*)::int AS n FROM $s.batch_members`)).toEqual([{ n: 2 }]);
      const callbacks = await q(
        `SELECT callback_config_id, message_id, state, attempts, last_status_code FROM $s.callbacks ORDER BY created_at`,
      );
      expect(callbacks).toEqual([
        {
          callback_config_id: 'sent-cb',
          message_id: m1.data.messageId,
          state: 'succeeded',
          attempts: 2,
          last_status_code: 200,
        },
        {
          callback_config_id: 'sent-cb',
          message_id: m2.data.messageId,
          state: 'pending',
          attempts: 0,
          last_status_code: null,
        },
        {
          callback_config_id: 'done-cb',
          message_id: null,
          state: 'pending',
          attempts: 0,
          last_status_code: null,
        },
      ]);
      expect(
        await q(`SELECT attempt, status_code, outcome, log_offset FROM $s.attempts ORDER BY attempt`),
      ).toEqual([
        { attempt: 1, status_code: 503, outcome: 'retrying', log_offset: '4' },
        { attempt: 2, status_code: 200, outcome: 'succeeded', log_offset: '5' },
      ]);
      expect(await q(`SELECT status, previous_status FROM $s.delivery_statuses ORDER BY log_offset`)).toEqual(
        [
          { status: 'queued', previous_status: null },
          { status: 'delivered', previous_status: 'queued' },
        ],
      );
      // Sealed secrets and credentials never reach the projection.
      for (const table of TABLES) {
        const dump = (await dumpTable(db, config.schema, table)).join('\n');
        expect(dump).not.toMatch(/c2VjcmV0|A256GCM|user:pw|"password"/);
      }
    });
  });

  it('changes nothing when the same batch is applied twice, by position or by handler', async () => {
    const records = (await tk.readAll(config.logTopic)).map((r) => ({
      offset: r.offset,
      timestamp: r.timestamp,
      value: r.value,
    }));
    const ds = await createDataSource({
      databaseUrl: config.databaseUrl,
      schema: config.schema,
      poolSize: 1,
    }).initialize();
    try {
      const before = await withDb((db) => dumpAll(db, config.schema, TABLES));
      const reader = new LogIdentityReader(tk.kafka);
      const log = await reader.read(config.logTopic).finally(() => reader.close());
      const sut = new ProjectionApplier(ds, config.schema, config.logTopic, { mode: 'live' });
      const redelivered = await sut.apply(0, records, records[records.length - 1].offset, log);
      expect(redelivered).toMatchObject({ applied: 0, duplicates: records.length });
      // Without the checkpoint (as if it were lost) every handler must still be idempotent.
      await ds.query(`UPDATE "${config.schema}".checkpoints SET next_offset = 0`);
      const again = await sut.apply(0, records, records[records.length - 1].offset, log);
      expect(again.applied).toBe(records.length);
      const after = await withDb((db) => dumpAll(db, config.schema, TABLES));
      expect(after).toEqual(before);
    } finally {
      await ds.destroy();
    }
  });

  it('skips unknown event types and versions with a warning and goes on', async () => {
    const future = {
      id: randomUUID(),
      type: 'CallbackRescheduled',
      version: 1,
      occurredAt: new Date().toISOString(),
      communicationId: s.communicationId,
      data: {},
    };
    const v99 = { ...s.sent(), version: 99 };
    await tk.send(config.logTopic, [
      { key: s.communicationId, value: JSON.stringify(future) },
      { key: s.communicationId, value: JSON.stringify(v99) },
    ]);
    const m3 = s.sent();
    await appendEvents(tk, config.logTopic, [m3]);
    const cp = await eventually(
      async () => {
        const c = await checkpoint();
        return c && Number(c.next_offset) === events.length + 3 ? c : undefined;
      },
      { what: 'the events after the unknown ones to be applied' },
    );
    expect(Number(cp.events_skipped)).toBeGreaterThanOrEqual(2);
    const found = await withDb((db) =>
      db.query(`SELECT 1 FROM "${config.schema}".messages WHERE message_id = $1`, [m3.data.messageId]),
    );
    expect(found.rowCount).toBe(1);
  });
});
