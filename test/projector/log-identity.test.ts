import { LogIdentityReader, type LogIdentity } from '@app/platform';
import { Client } from 'pg';
import { rebuildLockKey } from '../../apps/projector/src/database/schema.switch';
import { LogMismatchError } from '../../apps/projector/src/projection/log.check';
import { endOffsets } from '../../apps/projector/src/projection/log.consumer';
import { startProjector, type RunningProjector } from '../../apps/projector/src/projector.app';
import { builtEntry, ChildService } from '../support/child-service';
import { databaseUrl, eventually } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { API_KEY, appendEvents, dropSchemas, scenario, testConfig, withDb } from './projector.fixtures';

const PARTITIONS = 3;
const quiet = { host: '127.0.0.1', logger: false as const };

const checkpointsOf = (schema: string) =>
  withDb(async (db) => {
    const { rows } = await db.query(
      `SELECT partition, next_offset::text, cluster_id, topic_id FROM "${schema}".checkpoints ORDER BY partition`,
    );
    return rows as { partition: number; next_offset: string; cluster_id: string; topic_id: string }[];
  });

const appliedIn = async (schema: string) =>
  (await checkpointsOf(schema)).reduce((n, r) => n + Number(r.next_offset), 0);

/** Records on the log (the test producer may write one twice under load: count offsets, not events). */
const recordsOn = async (tk: TestKafka, topic: string) =>
  [...(await endOffsets(tk.kafka, topic)).values()].reduce((n, end) => n + Number(end), 0);

const health = async (p: RunningProjector) => {
  const r = await fetch(`${p.url}/health`);
  const { checks } = (await r.json()) as { checks: { projection: { state: string; reason?: string } } };
  return {
    status: r.status,
    body: { projection: checks.projection.state, reason: checks.projection.reason },
  };
};

/** The health answer once it reports `projection` in `state`. */
const healthSays = (p: RunningProjector, state: string) =>
  eventually(
    async () => {
      const h = await health(p);
      return h.body.projection === state ? h : undefined;
    },
    { what: `/health to report the projection ${state}` },
  );

const communication = async (p: RunningProjector, id: string) =>
  (await fetch(`${p.url}/v1/communications/${id}`, { headers: { authorization: `Bearer ${API_KEY}` } }))
    .status;

/** A communication with enough events to spread over every partition's offsets. */
function oldEvents() {
  const s = scenario();
  return { s, events: [s.configured(), ...Array.from({ length: 12 }, () => s.sent()), s.completed(12)] };
}

describe('the projection knows which log it belongs to', () => {
  const tk = new TestKafka();
  const reader = new LogIdentityReader(tk.kafka);
  const schemas: string[] = [];
  const running: RunningProjector[] = [];
  const start = async (config: ReturnType<typeof testConfig>) => {
    const p = await startProjector(config, quiet);
    running.push(p);
    return p;
  };

  /** A fresh log with one communication's events, projected by a running projector. */
  const projected = async ({ relay }: { relay: boolean }) => {
    const config = testConfig({
      logPartitions: PARTITIONS,
      workers: { projection: true, relay, mail: false, recovery: false },
    });
    schemas.push(config.schema);
    await tk.createTopic(config.logTopic, PARTITIONS);
    const before = oldEvents();
    await appendEvents(tk, config.logTopic, before.events);
    const projector = await start(config);
    await eventually(
      async () =>
        (await appliedIn(config.schema)) === (await recordsOn(tk, config.logTopic)) ? true : undefined,
      { what: 'the first log to be projected' },
    );
    return { config, before, projector };
  };

  afterAll(async () => {
    for (const p of running) await p.close().catch(() => undefined);
    await reader.close();
    await tk.close();
    await dropSchemas(...schemas);
  });

  it('refuses to start on a recreated log, names both logs and the fixes, then rebuilds when told to', async () => {
    const { config, before, projector: first } = await projected({ relay: false });
    await first.close();
    const oldLog = await reader.read(config.logTopic);
    const oldCheckpoints = await checkpointsOf(config.schema);

    // What `npm run kafka -- reset` (or a deleted and recreated topic) does: a new log, same name.
    await tk.recreateTopic(config.logTopic, PARTITIONS);
    const after = scenario();
    const m = after.sent();
    await appendEvents(tk, config.logTopic, [after.configured(), m]);
    const newLog: LogIdentity = await reader.read(config.logTopic);
    expect(newLog.clusterId).toBe(oldLog.clusterId);
    expect(newLog.topicId).not.toBe(oldLog.topicId);

    const refused = await startProjector(config, quiet).then(
      () => {
        throw new Error('the projector started on another log');
      },
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(LogMismatchError);
    const report = (refused as LogMismatchError).report;
    expect(report).toContain(`schema "${config.schema}"`);
    expect(report).toContain(`topic ${config.logTopic}`);
    expect(report).toContain(
      `topic id ${oldLog.topicId}; found cluster ${newLog.clusterId}, topic id ${newLog.topicId}`,
    );
    expect(report).toMatch(
      new RegExp(`npm run replay -- --schema ${config.schema}_\\d{8} --topic ${config.logTopic}`),
    );
    expect(report).toContain('ON_LOG_MISMATCH=rebuild');
    // Nothing was consumed: the checkpoints still count the old log.
    expect(await checkpointsOf(config.schema)).toEqual(oldCheckpoints);

    // The built process refuses the same way, with its own exit code.
    const child = new ChildService('projector', builtEntry('projector'), {
      KAFKA_BROKERS: config.kafkaBrokers.join(','),
      DATABASE_URL: databaseUrl(),
      DB_SCHEMA: config.schema,
      LOG_TOPIC: config.logTopic,
      LOG_PARTITIONS: String(PARTITIONS),
      CONSUMER_GROUP: config.consumerGroup,
      API_KEYS: API_KEY,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      // The report as an operator reads it on a terminal (json would escape its quotes).
      LOG_FORMAT: 'pretty',
    });
    const ended = await child.ended;
    // On failure the assertion shows the process's last lines instead of a bare exit code.
    expect(ended.code === 65 ? 65 : child.tail(60)).toBe(65);
    expect(child.tail(40)).toContain(`refusing to start: the projection in schema "${config.schema}"`);

    // ON_LOG_MISMATCH=rebuild: /health says why while it rebuilds (held here by its lock).
    const lock = new Client({ connectionString: databaseUrl() });
    await lock.connect();
    let rebuilt: RunningProjector;
    try {
      await lock.query('SELECT pg_advisory_lock(hashtext($1))', [rebuildLockKey(config.schema)]);
      rebuilt = await start({ ...config, onLogMismatch: 'rebuild' });
      const during = await healthSays(rebuilt, 'rebuilding');
      expect(during.status).toBe(503);
      expect(during.body.reason).toContain(`topic id ${newLog.topicId}`);
      expect(await communication(rebuilt, after.communicationId)).toBe(404);
    } finally {
      await lock.end();
    }
    await eventually(async () => ((await health(rebuilt)).status === 200 ? true : undefined), {
      what: 'the rebuilt projection to be healthy',
    });
    // Every event of the new log is in the projection, nothing was skipped as "already applied".
    expect(await communication(rebuilt, after.communicationId)).toBe(200);
    expect(await communication(rebuilt, before.s.communicationId)).toBe(404);
    const messageView = await fetch(`${rebuilt.url}/v1/messages/${m.data.messageId}/callbacks`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(messageView.status).toBe(200);
    const now = await checkpointsOf(config.schema);
    expect(now.reduce((n, r) => n + Number(r.next_offset), 0)).toBe(await recordsOn(tk, config.logTopic));
    expect(new Set(now.map((r) => `${r.cluster_id}/${r.topic_id}`))).toEqual(
      new Set([`${newLog.clusterId}/${newLog.topicId}`]),
    );
    // The old projection is kept, renamed, for whoever needs its history.
    const archived = await withDb(async (db) => {
      const { rows } = await db.query(
        `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE $1`,
        [`${config.schema}_old_%`],
      );
      return rows.map((r: { schema_name: string }) => r.schema_name);
    });
    expect(archived).toHaveLength(1);
    schemas.push(archived[0]);
    expect(await checkpointsOf(archived[0])).toEqual(oldCheckpoints);
  });

  it('refuses a checkpoint beyond the end offset, and records the log on checkpoints written before identities', async () => {
    const { config, projector } = await projected({ relay: false });
    await projector.close();
    const [busiest] = (await checkpointsOf(config.schema)).sort(
      (a, b) => Number(b.next_offset) - Number(a.next_offset),
    );
    const q = (sql: string) => withDb((db) => db.query(sql.replaceAll('$s', `"${config.schema}"`)));

    await q(`UPDATE $s.checkpoints SET next_offset = next_offset + 5 WHERE partition = ${busiest.partition}`);
    await expect(startProjector(config, quiet)).rejects.toMatchObject({
      code: 'log-mismatch',
      report: expect.stringContaining(
        `partition ${busiest.partition}: the checkpoint (next offset ${Number(busiest.next_offset) + 5}) is beyond the partition's end offset ${busiest.next_offset}`,
      ),
    });

    // As written before this version: no identity. Within the log's end, they are adopted.
    await q(`UPDATE $s.checkpoints SET next_offset = next_offset - 5 WHERE partition = ${busiest.partition}`);
    await q(`UPDATE $s.checkpoints SET cluster_id = NULL, topic_id = NULL`);
    const adopted = await start(config);
    const log = await reader.read(config.logTopic);
    const rows = await checkpointsOf(config.schema);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows)
      expect({ cluster: r.cluster_id, topic: r.topic_id }).toEqual({
        cluster: log.clusterId,
        topic: log.topicId,
      });
    expect((await health(adopted)).body.projection).toBe('projecting');
  });

  it('stops applying, with /health 503 and the reason, when the log is recreated under it', async () => {
    const { config, projector: p } = await projected({ relay: true });
    const oldCheckpoints = await checkpointsOf(config.schema);

    // kafkajs would go on at its old positions on the new topic: its first records must not vanish.
    await tk.recreateTopic(config.logTopic, PARTITIONS);
    const after = scenario();
    await appendEvents(tk, config.logTopic, [
      after.configured(),
      ...Array.from({ length: 20 }, () => after.sent()),
    ]);
    const newLog = await reader.read(config.logTopic);
    const refused = await healthSays(p, 'refused');
    expect(refused.status).toBe(503);
    expect(refused.body.reason).toContain(`found cluster ${newLog.clusterId}, topic id ${newLog.topicId}`);
    // The refusal comes before any batch of the new log is applied.
    expect(await checkpointsOf(config.schema)).toEqual(oldCheckpoints);
    expect(await communication(p, after.communicationId)).toBe(404);
  });
});
