import { idSchema, uuidSchema } from '@app/contracts';
import { createKafka } from '@app/platform';
import { Client } from 'pg';
import { auditLines, parkedEntries, parkedLine } from '../audit/audit.trail';
import { readWholeLog } from '../audit/log.reader';
import { parkedIn } from '../verify/verify.compare';
import { cliEnv, cliOptions, fail } from './cli.args';

const USAGE = 'npm run audit -- (--communication <id> | --message <uuid>) [--topic <log topic>]';

/** Prints the ordered event trail of one communication or message straight from the log. */
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
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: 'callbacks-audit' });
  const records = await readWholeLog(kafka, args.topic ?? env.LOG_TOPIC);
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
  const db = new Client({ connectionString: databaseUrl });
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

main().catch((e) => fail('audit', e));
