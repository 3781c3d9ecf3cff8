import { randomUUID } from 'node:crypto';
import type { LogEvent } from '@app/contracts';
import { startProjector, type RunningProjector } from '../../apps/projector/src/projector.app';
import { eventually } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { API_KEY, appendEvents, dropSchemas, scenario, testConfig, withDb } from './projector.fixtures';

/**
 * The projector's two consumers of work that can fail for good: the projection (a log record the
 * database can never take) and the outbox relay (an event that can never be published). Each is
 * retried, then parked in parked_records where verify and audit read it, and the rest goes on.
 */
describe('the projector parks what it can never apply or publish', () => {
  const tk = new TestKafka();
  // Locked down as the production posture suggests: no /docs, /metrics only with an API key.
  const config = testConfig({ logPartitions: 1, docsEnabled: false, metricsRequireKey: true });
  const metrics = async () => {
    const res = await fetch(`${projector!.url}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } });
    return res.text();
  };
  let projector: RunningProjector | undefined;

  beforeAll(async () => {
    await tk.createTopic(config.logTopic, 1);
  });
  afterAll(async () => {
    await projector?.close();
    await tk.close();
    await dropSchemas(config.schema);
  });

  const parkedRows = () =>
    withDb(
      async (db) =>
        (await db.query(`SELECT * FROM "${config.schema}".parked_records ORDER BY consumer`)).rows,
    );

  it('parks a log record the database refuses, applies the records around it, and goes on', async () => {
    const s = scenario();
    const m = s.sent();
    // durationMs fits the contract (an integer >= 0) but not the column (integer): 22003 every time.
    const poison = s.attempted(m, 1, 'retrying', 503) as Extract<LogEvent, { type: 'CallbackAttempted' }>;
    poison.data.durationMs = 2 ** 31;
    const events = [s.configured(), m, poison, s.attempted(m, 2, 'succeeded', 200), s.completed(1)];
    await appendEvents(tk, config.logTopic, events);
    projector = await startProjector(config, { host: '127.0.0.1', logger: ['error'] });

    const rows = await eventually(
      async () => {
        const r = await parkedRows();
        return r.length > 0 ? r : undefined;
      },
      { what: 'a parked row', timeoutMs: 60_000 },
    );
    expect(rows).toEqual([
      expect.objectContaining({
        consumer: 'projector',
        source_topic: config.logTopic,
        source_partition: 0,
        source_offset: '2',
        event_id: poison.id,
        event_type: 'CallbackAttempted',
        communication_id: s.communicationId,
        code: '22003',
        failure_class: 'deterministic',
        attempts: 2,
      }),
    ]);
    const state = await eventually(
      () =>
        withDb(async (db) => {
          const [c] = (await db.query(`SELECT next_offset FROM "${config.schema}".checkpoints`)).rows;
          const attempts = (await db.query(`SELECT attempt FROM "${config.schema}".attempts`)).rows;
          return c?.next_offset === String(events.length) ? attempts : undefined;
        }),
      { what: 'the checkpoint past every record' },
    );
    expect(state).toEqual([{ attempt: 2 }]);
    expect(await metrics()).toMatch(/records_parked_total\{consumer="projector"\} 1/);
  });

  it('parks an outbox event that can never be published, and publishes the ones after it', async () => {
    const s = scenario();
    const m = s.sent();
    // A row whose payload is not an event (what a bug or a hand-edit leaves), older than the rest.
    const broken = randomUUID();
    await withDb((db) =>
      db.query(
        `INSERT INTO "${config.schema}".outbox_events (event_id, communication_id, event_type, payload, cause_event_id, created_at)
         VALUES ($1, $2, 'CommunicationDisabled', '{"not":"an event"}', $3, '2020-01-01T00:00:00Z')`,
        [broken, s.communicationId, randomUUID()],
      ),
    );
    const failed = s.failed(m);
    await appendEvents(tk, config.logTopic, [s.configured(), m, failed]);

    const disabled = await eventually(
      async () => {
        const onLog = (await tk.readJson<LogEvent>(config.logTopic)).filter(
          (e) => e.type === 'CommunicationDisabled' && e.communicationId === s.communicationId,
        );
        return onLog.length > 0 ? onLog : undefined;
      },
      { what: 'the CommunicationDisabled published' },
    );
    expect(disabled).toHaveLength(1);
    const rows = await eventually(
      async () => {
        const r = (await parkedRows()).filter((x) => x.consumer === 'outbox-relay');
        return r.length > 0 ? r : undefined;
      },
      { what: 'the parked outbox row' },
    );
    expect(rows).toEqual([
      expect.objectContaining({
        consumer: 'outbox-relay',
        event_id: broken,
        code: 'invalid-envelope',
        attempts: 0,
      }),
    ]);
    const [row] = await withDb(
      async (db) =>
        (
          await db.query(
            `SELECT parked_at, parked_reason FROM "${config.schema}".outbox_events WHERE event_id = $1`,
            [broken],
          )
        ).rows,
    );
    expect(row.parked_at).toBeInstanceOf(Date);
    expect(row.parked_reason).toMatch(/^invalid-envelope: /);
    expect(await metrics()).toMatch(/records_parked_total\{consumer="outbox-relay"\} 1/);
  });

  it('serves no /docs and no /metrics without an API key when configured so', async () => {
    expect((await fetch(`${projector!.url}/docs`)).status).toBe(404);
    expect((await fetch(`${projector!.url}/docs-json`)).status).toBe(404);
    expect((await fetch(`${projector!.url}/metrics`)).status).toBe(401);
  });
});
