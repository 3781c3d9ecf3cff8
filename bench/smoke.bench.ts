/**
 * The regression guard (issue 14, decision 0740): benchmark 2 at a small size — MessageSent events
 * produced on the log → callback received → attempt projected — and the raw HTTP loop against the
 * same receiver in the same run. Prints ours/raw and exits 1 when it is below the threshold.
 *
 * Only the ratio is judged: machines differ about 2× in speed, the raw loop moves with them. The
 * threshold was set from repeated runs on the 2-core development machine while other test suites
 * loaded it (docs/performance.md, "Regression guard") and sits well below the worst of them, so a
 * loaded CI machine does not fail it while a several-fold regression does.
 *
 * Like `npm test`: with KAFKA_BROKERS unset it starts a broker of its own (scripts/kafka.sh, free
 * ports) and stops it at the end; with DATABASE_URL unset it uses 127.0.0.1:5432 when that answers,
 * else an embedded PostgreSQL.
 */
import {
  findOrStartPostgres,
  removeRunDir,
  startRunBroker,
  type LocalService,
} from '../test/support/local-services';
import { benchMain } from './support/bench.main';
import { given, size } from './support/bench.env';
import { burst, startDispatchStack } from './support/dispatch.scenario';
import { rawClientLoop } from './support/raw-client.loop';
import { ReceiverHandle } from './support/receiver.handle';
import { figure, fmt } from './support/report';
import { stopAll } from './support/services.launcher';

const EVENTS = size('EVENTS', 10_000);
/** Untimed events first: the services' code is compiled and their connections open before timing. */
const WARM_UP = size('WARM_UP', 2_000);
const RAW_REQUESTS = size('RAW_REQUESTS', 30_000);
const CONCURRENCY = size('CONCURRENCY', 64);
/** ours/raw end to end below this fails the run (see the header for how it was chosen). */
const THRESHOLD = Number(process.env.BENCH_SMOKE_MIN_RATIO ?? 0.04);

/** The broker and database of this run, when none were given; stopped after everything else. */
async function ownInfrastructure(): Promise<LocalService[]> {
  const started: LocalService[] = [];
  if (given.kafka && given.database) return started;
  started.push({ description: 'the run directory', stop: async () => removeRunDir() });
  if (!given.kafka) {
    const broker = await startRunBroker();
    started.push(broker);
    process.env.KAFKA_BROKERS = broker.brokers;
  }
  if (!given.database) {
    const pg = await findOrStartPostgres();
    if (pg.stop) started.push({ description: pg.description ?? 'PostgreSQL', stop: pg.stop });
    process.env.DATABASE_URL = pg.url;
  }
  return started;
}

void ownInfrastructure().then(
  (infrastructure) =>
    benchMain(
      'smoke: benchmark 2 at small size, ours / raw HTTP loop (regression guard)',
      async (run) => {
        const receiver = await ReceiverHandle.start();
        run.receivers.push(receiver);
        const stack = await startDispatchStack(run, 'smoke', receiver, {
          MAX_CONCURRENCY: String(CONCURRENCY),
          MAX_CONCURRENCY_PER_HOST: String(CONCURRENCY),
        });
        await burst(run, stack, receiver, WARM_UP, 5 * 60_000);
        const r = await burst(run, stack, receiver, EVENTS, 5 * 60_000);
        await stopAll([stack.dispatcher, stack.projector]);
        run.services.length = 0;
        const raw = await rawClientLoop(`${receiver.baseUrl}/cb/raw`, RAW_REQUESTS, CONCURRENCY);
        const ours = EVENTS / r.projectedSeconds;
        const ratio = ours / raw.perSecond;
        figure('events (after a warm-up) / concurrency', `${fmt(EVENTS)} (${fmt(WARM_UP)}) / ${CONCURRENCY}`);
        figure('end to end (produced → received → projected)', `${fmt(ours)} callbacks/s`);
        figure('raw HTTP loop, same receiver', `${fmt(raw.perSecond)} requests/s`);
        figure('attempts handed off', fmt(r.handedOff));
        const verdict = ratio >= THRESHOLD ? 'passed' : 'FAILED';
        process.stdout.write(`smoke ${verdict}: ours/raw ${fmt(ratio, 3)} (threshold ${THRESHOLD})\n`);
        if (ratio < THRESHOLD) throw new Error(`ours/raw ${fmt(ratio, 3)} is below ${THRESHOLD}`);
      },
      infrastructure,
    ),
  (e: unknown) => {
    process.stderr.write(`smoke: could not start its broker or database: ${String(e)}\n`);
    process.exit(1);
  },
);
