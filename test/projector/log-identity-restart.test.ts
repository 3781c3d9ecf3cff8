import { LogIdentityReader } from '@app/platform';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { endOffsets } from '../../apps/projector/src/projection/log.consumer';
import { startProjector, type RunningProjector } from '../../apps/projector/src/projector.app';
import { eventually } from '../support/environment';
import { TestKafka } from '../support/kafka';
import { PrivateBroker } from '../support/private-broker';
import { appendEvents, dropSchemas, scenario, testConfig, withDb } from './projector.fixtures';

const PARTITIONS = 3;

/**
 * The normal paths must not look like another log: the broker stopped and started again, the
 * projector restarted, a second instance joining the group (a rebalance). A private broker, so the
 * shared one is never stopped.
 */
describe('the log identity check raises no false alarm', () => {
  const broker = new PrivateBroker();
  let tk: TestKafka;
  const running: RunningProjector[] = [];
  let config: ReturnType<typeof testConfig>;

  const append = async (count: number) => {
    const events = [];
    // Several communications, so every partition gets events (keys spread by communication id).
    for (let c = 0; c < 6; c++) {
      const s = scenario();
      events.push(s.configured(), ...Array.from({ length: count - 1 }, () => s.sent()));
    }
    await appendEvents(tk, config.logTopic, events);
  };
  const applied = () =>
    withDb(async (db) => {
      const { rows } = await db.query(
        `SELECT sum(next_offset)::int AS n FROM "${config.schema}".checkpoints`,
      );
      return rows[0].n as number;
    });
  /** Every record on the log applied (offsets, not events: the test producer may write one twice). */
  const allApplied = async (what: string) => {
    const ends = await endOffsets(tk.kafka, config.logTopic);
    const records = [...ends.values()].reduce((n, end) => n + Number(end), 0);
    await eventually(async () => ((await applied()) === records ? true : undefined), {
      what,
      timeoutMs: 90_000,
    });
  };
  const projecting = async (p: RunningProjector) => {
    const r = await fetch(`${p.url}/health`);
    return { status: r.status, projection: ((await r.json()) as { projection: string }).projection };
  };

  beforeAll(async () => {
    await broker.start();
    tk = new TestKafka(broker.brokers);
    config = testConfig({
      kafkaBrokers: broker.brokers,
      logPartitions: PARTITIONS,
      workers: { projection: true, relay: false, mail: false, recovery: false },
    });
    await tk.createTopic(config.logTopic, PARTITIONS);
  });
  afterAll(async () => {
    for (const p of running) await p.close().catch(() => undefined);
    await tk?.close();
    await broker.destroy();
    await dropSchemas(config.schema);
  });

  // After the broker restart a new consumer may wait out the old member's 30 s session: generous bounds.
  it('keeps projecting through a broker restart, a projector restart and a rebalance', async () => {
    await append(4);
    const first = await startProjector(config, { host: '127.0.0.1', logger: false });
    running.push(first);
    await allApplied('the first events');

    await broker.stop();
    await broker.start();
    await append(4);
    await allApplied('events appended after the broker restart');
    expect(await projecting(first)).toEqual({ status: 200, projection: 'projecting' });

    // A restart checks every checkpoint against the log and its end offsets.
    await first.close();
    const again = await startProjector(config, { host: '127.0.0.1', logger: false });
    running.push(again);
    await append(4);
    await allApplied('events appended after the projector restart');

    // A second instance in the same group: the partitions move, each assignment is checked.
    const second = await startProjector(config, { host: '127.0.0.1', logger: false });
    running.push(second);
    await append(4);
    await allApplied('events appended after the rebalance');
    expect(await projecting(again)).toEqual({ status: 200, projection: 'projecting' });
    expect(await projecting(second)).toEqual({ status: 200, projection: 'projecting' });
  }, 300_000);

  it('reads the ids Kafka itself recorded for the cluster and the topic', async () => {
    // Read from the broker's own files (written by now: the broker was restarted above).
    const reader = new LogIdentityReader(tk.kafka);
    const log = await reader.read(config.logTopic).finally(() => reader.close());
    const meta = await readFile(path.join(broker.dataDir, 'meta.properties'), 'utf8');
    expect(meta).toContain(`cluster.id=${log.clusterId}`);
    for (let p = 0; p < PARTITIONS; p++) {
      const partition = await readFile(
        path.join(broker.dataDir, `${config.logTopic}-${p}`, 'partition.metadata'),
        'utf8',
      );
      expect(partition).toContain(`topic_id: ${log.topicId}`);
    }
  });
});
