import { Client } from 'pg';
import { idSchema, uuidSchema } from '@app/contracts';
import { createKafka, describeLog, LogIdentityReader, sameLog, type LogIdentity } from '@app/platform';
import { auditLines } from '../audit/audit.trail';
import { readWholeLog } from '../audit/log.reader';
import { recordedVersus } from '../projection/log-check';
import { readCheckpointRows } from '../projection/projection.store';
import { cliEnv, cliOptions, fail } from './cli.args';

const USAGE = 'npm run audit -- (--communication <id> | --message <uuid>) [--topic <log topic>]';

/**
 * Prints the ordered event trail of one communication or message straight from the log, headed
 * by the log's identity, and says whether the projection in DB_SCHEMA was built from that log
 * (what the read API answers is then comparable with the trail; decision 0641).
 */
async function main() {
  const args = cliOptions(
    'audit',
    { communication: { type: 'string' }, message: { type: 'string' }, topic: { type: 'string' } },
    USAGE,
  );
  const env = cliEnv('audit');
  const communication = args.communication === undefined ? undefined : idSchema.safeParse(args.communication);
  const message = args.message === undefined ? undefined : uuidSchema.safeParse(args.message);
  if ((!communication && !message) || communication?.success === false || message?.success === false) {
    fail('audit', new Error(`give a valid --communication id or --message uuid\nusage: ${USAGE}`));
  }
  const topic = args.topic ?? env.LOG_TOPIC;
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: 'callbacks-audit' });
  const reader = new LogIdentityReader(kafka);
  try {
    const log = await reader.read(topic);
    const records = await readWholeLog(kafka, topic);
    const after = await reader.read(topic);
    if (!sameLog(log, after)) {
      throw new Error(
        `the log changed while it was read (${describeLog(log)}, then ${describeLog(after)}); run the audit again`,
      );
    }
    process.stdout.write(`log ${describeLog(log)}\n`);
    process.stdout.write(`projection ${await projectionVersus(env.DATABASE_URL, env.DB_SCHEMA, log)}\n`);
    const lines = auditLines(records, { communicationId: communication?.data, messageId: message?.data });
    for (const line of lines) process.stdout.write(`${line}\n`);
    process.stdout.write(`${lines.length} event(s) of ${records.length} record(s) on the log\n`);
  } finally {
    await reader.close();
  }
}

/** Which log the projection in `schema` was built from; the database is optional for an audit. */
async function projectionVersus(databaseUrl: string, schema: string, log: LogIdentity): Promise<string> {
  const db = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await db.connect();
    const rows = await readCheckpointRows(
      (sql, p) => db.query(sql, p).then((r) => r.rows),
      schema,
      log.topic,
    );
    return recordedVersus(schema, rows, log).line;
  } catch (e) {
    return `${schema}: not checked (${(e as Error).message})`;
  } finally {
    await db.end().catch(() => undefined);
  }
}

main().catch((e) => fail('audit', e));
