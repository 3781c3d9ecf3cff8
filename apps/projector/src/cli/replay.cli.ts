import { describeLog } from '@app/platform';
import { schemaNameSchema } from '../config/projector.config';
import { runReplay } from '../replay/replay.runner';
import { cliEnv, cliOptions, fail } from './cli.args';

const USAGE = 'npm run replay -- --schema <fresh_schema> [--topic <log topic>]';

/** Rebuilds the projection from offset 0 into a fresh schema and prints a summary naming the log. */
async function main() {
  const args = cliOptions('replay', { schema: { type: 'string' }, topic: { type: 'string' } }, USAGE);
  const env = cliEnv('replay');
  const schema = schemaNameSchema.safeParse(args.schema);
  if (!schema.success)
    fail('replay', new Error(`--schema: ${schema.error.issues[0].message}\nusage: ${USAGE}`));
  const summary = await runReplay({
    kafkaBrokers: env.kafka.brokers,
    kafkaSecurity: env.kafka,
    databaseUrl: env.DATABASE_URL,
    schema: schema.data,
    logTopic: args.topic ?? env.LOG_TOPIC,
    chunk: env.REPLAY_CHUNK,
    progress: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    `replay done: ${summary.events} events (${summary.skipped} skipped), ${summary.rows} rows, ` +
      `${summary.seconds.toFixed(1)} s, ${Math.round(summary.eventsPerSecond)} events/s\n` +
      `log: ${describeLog(summary.log)}, checked before every batch and recorded on the checkpoints of ${schema.data}\n`,
  );
}

main().catch((e) => fail('replay', e));
