import { Client } from 'pg';
import { schemaNameSchema } from '../config/projector.config';
import { compareSchemas, parkedIn } from '../verify/verify.compare';
import { cliEnv, cliOptions, fail } from './cli.args';

const USAGE = 'npm run verify -- --replay <schema> [--live <schema, default DB_SCHEMA>]';

/** Compares a replayed schema with the live one; exit 1 when any table differs. */
async function main() {
  const args = cliOptions('verify', { replay: { type: 'string' }, live: { type: 'string' } }, USAGE);
  const env = cliEnv('verify');
  const replay = schemaNameSchema.safeParse(args.replay);
  const live = schemaNameSchema.safeParse(args.live ?? env.DB_SCHEMA);
  if (!replay.success || !live.success)
    fail('verify', new Error(`both schemas must be plain identifiers\nusage: ${USAGE}`));
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  try {
    const results = await compareSchemas(db, live.data, replay.data);
    let differing = 0;
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
        : `${differing} table(s) differ\n`,
    );
    process.exitCode = differing === 0 ? 0 : 1;
  } finally {
    await db.end();
  }
}

main().catch((e) => fail('verify', e));
