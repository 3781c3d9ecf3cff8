import { Client } from 'pg';
import { idSchema, uuidSchema } from '@app/contracts';
import { createKafka, describeLog, LogIdentityReader, sameLog, type LogIdentity } from '@app/platform';
import { auditLines, parkedEntries, parkedLine } from '../audit/audit.trail';
import { readWholeLog } from '../audit/log.reader';
import { recordedVersus } from '../projection/log.check';
import { readCheckpointRows } from '../projection/projection.store';
import { parkedIn } from '../verify/verify.compare';
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
  const kafka = createKafka({ ...env.kafka, clientId: 'callbacks-audit' });
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
    const filter = { communicationId: communication?.data, messageId: message?.data };
    const lines = auditLines(records, filter);
    for (const line of lines) process.stdout.write(`${line}\n`);
    process.stdout.write(`${lines.length} event(s) of ${records.length} record(s) on the log\n`);

    // Records that belong here but that a consumer set aside: they are part of the trail too.
    const parked = await parkedOnTopic(kafka, env.PARKED_TOPIC, filter);
    const eventIds = lines.map((l) => /id=([0-9a-f-]{36})/.exec(l)?.[1]).filter((id): id is string => !!id);
    const projected = await parkedInProjection(
      env.DATABASE_URL,
      env.DB_SCHEMA,
      filter.communicationId,
      eventIds,
    );
    for (const line of [...parked, ...projected]) process.stdout.write(`${line}\n`);
    process.stdout.write(`${parked.length + projected.length} parked record(s)\n`);
  } finally {
    await reader.close();
  }
}

async function parkedOnTopic(
  kafka: ReturnType<typeof createKafka>,
  topic: string,
  filter: Parameters<typeof parkedEntries>[1],
): Promise<string[]> {
  try {
    const admin = kafka.admin();
    await admin.connect();
    const exists = (await admin.listTopics().finally(() => admin.disconnect())).includes(topic);
    if (!exists) return [];
    return parkedEntries(await readWholeLog(kafka, topic), filter).map(parkedLine);
  } catch (e) {
    return [`(parked topic ${topic} not read: ${(e as Error).message})`];
  }
}

async function parkedInProjection(
  databaseUrl: string,
  schema: string,
  communicationId: string | undefined,
  eventIds: string[],
): Promise<string[]> {
  const db = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await db.connect();
    const rows = await parkedIn(db, schema, communicationId ? { communicationId } : { eventIds });
    return rows.map((p) =>
      parkedLine({
        consumer: p.consumer,
        where: p.where,
        code: p.code,
        reason: p.reason,
        eventId: p.eventId,
        at: null,
      }),
    );
  } catch (e) {
    return [`(parked records of projection ${schema} not read: ${(e as Error).message})`];
  } finally {
    await db.end().catch(() => undefined);
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
