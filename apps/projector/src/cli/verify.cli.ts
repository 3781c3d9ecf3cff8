import { Client } from 'pg';
import {
  createKafka,
  describeLog,
  type KafkaConnection,
  kafkaRefusal,
  LogIdentityReader,
  type LogIdentity,
} from '@app/platform';
import { schemaNameSchema } from '../config/projector.config';
import { recordedLogs, recordedVersus } from '../projection/log.check';
import { readCheckpointRows } from '../projection/projection.store';
import { compareSchemas, parkedIn } from '../verify/verify.compare';
import { cliEnv, cliOptions, fail } from './cli.args';

const USAGE =
  'npm run verify -- --replay <schema> [--live <schema, default DB_SCHEMA>] [--topic <log topic, default LOG_TOPIC>]';

/**
 * Compares a replayed schema with the live one; exit 1 when any table differs, or when the two
 * were not built from the same log, or not from the log at KAFKA_BROKERS now (decision 0641).
 */
async function main() {
  const args = cliOptions(
    'verify',
    { replay: { type: 'string' }, live: { type: 'string' }, topic: { type: 'string' } },
    USAGE,
  );
  const env = cliEnv('verify');
  const replay = schemaNameSchema.safeParse(args.replay);
  const live = schemaNameSchema.safeParse(args.live ?? env.DB_SCHEMA);
  if (!replay.success || !live.success)
    fail('verify', new Error(`both schemas must be plain identifiers\nusage: ${USAGE}`));
  const topic = args.topic ?? env.LOG_TOPIC;
  const log = await currentLog(env.kafka, topic);
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  try {
    const query = (sql: string, p: unknown[]) => db.query(sql, p).then((r) => r.rows);
    let differing = 0;
    if (log.identity) process.stdout.write(`log   ${describeLog(log.identity)}\n`);
    else
      process.stdout.write(
        `log   ${topic}: not read from Kafka (${log.error}); compared between schemas only\n`,
      );
    const rows = [
      await readCheckpointRows(query, live.data, topic),
      await readCheckpointRows(query, replay.data, topic),
    ];
    const versus = [
      recordedVersus(live.data, rows[0], log.identity),
      recordedVersus(replay.data, rows[1], log.identity),
    ];
    const recorded = rows.map((r) => recordedLogs(r).logs.join(','));
    const sameLog = recorded[0] === recorded[1] && versus.every((v) => v.same !== false);
    if (!sameLog) differing += 1;
    process.stdout.write(
      `${sameLog ? 'same' : 'DIFF'}  ${'log identity'.padEnd(20)} ${versus[0].line} / ${versus[1].line}\n`,
    );
    const results = await compareSchemas(db, live.data, replay.data);
    for (const r of results) {
      const same = r.differences.length === 0 && r.rows[0] === r.rows[1] && r.checksums[0] === r.checksums[1];
      if (!same) differing += 1;
      process.stdout.write(
        `${same ? 'same' : 'DIFF'}  ${r.table.padEnd(20)} rows ${r.rows[0]} / ${r.rows[1]}  checksum ${r.checksums[0].slice(0, 12)} / ${r.checksums[1].slice(0, 12)}\n`,
      );
      for (const d of r.differences) process.stdout.write(`      ${d}\n`);
    }
    // Parked records are known unfinished business: listed, whether or not both sides agree.
    for (const schema of [live.data, replay.data]) {
      const parked = await parkedIn(db, schema);
      if (parked.length === 0) continue;
      process.stdout.write(`PARKED  ${parked.length} record(s) in ${schema}:\n`);
      for (const p of parked) {
        process.stdout.write(
          `      ${p.consumer} ${p.where}${p.eventId ? ` event ${p.eventId}` : ''}: ${p.code}\n`,
        );
      }
    }
    process.stdout.write(
      differing === 0
        ? `no difference between ${live.data} and ${replay.data}\n`
        : `${differing} difference(s) (tables or log identity)\n`,
    );
    process.exitCode = differing === 0 ? 0 : 1;
  } finally {
    await db.end();
  }
}

/** The log's identity now, or why it could not be read (verify still compares the schemas). */
async function currentLog(
  connection: KafkaConnection,
  topic: string,
): Promise<{ identity: LogIdentity | null; error?: string }> {
  const reader = new LogIdentityReader(createKafka({ ...connection, clientId: 'callbacks-verify' }));
  try {
    return { identity: await reader.read(topic) };
  } catch (e) {
    // Refused credentials are a configuration to fix, not a log that is merely unreachable.
    if (kafkaRefusal(e)) throw e;
    return { identity: null, error: (e as Error).message };
  } finally {
    await reader.close();
  }
}

main().catch((e) => fail('verify', e));
