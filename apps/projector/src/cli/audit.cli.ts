import { idSchema, uuidSchema } from '@app/contracts';
import { createKafka } from '@app/platform';
import { auditLines } from '../audit/audit.trail';
import { readWholeLog } from '../audit/log.reader';
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
  const lines = auditLines(records, { communicationId: communication?.data, messageId: message?.data });
  for (const line of lines) process.stdout.write(`${line}\n`);
  process.stdout.write(`${lines.length} event(s) of ${records.length} record(s) on the log\n`);
}

main().catch((e) => fail('audit', e));
