import { migrate } from '../database/data-source.factory';
import { cliEnv, fail } from './cli.args';

/** Creates the projection schema (DB_SCHEMA) and runs pending migrations. */
async function main() {
  const env = cliEnv('migrate');
  const done = await migrate({ databaseUrl: env.DATABASE_URL, schema: env.DB_SCHEMA });
  process.stdout.write(
    done.length ? `migrated ${env.DB_SCHEMA}: ${done.join(', ')}\n` : `${env.DB_SCHEMA} is up to date\n`,
  );
}

main().catch((e) => fail('migrate', e));
