/**
 * The shared part of the dispatch benchmarks: a fresh log with configured communications, the
 * projector and the dispatcher running against it, a receiver, then a burst of MessageSent
 * events produced on the log and timed until every callback arrived and every attempt is in
 * Postgres.
 */
import type { BenchRun } from './bench.main';
import { startCpuAccounting, type CpuSplit } from './cpu.accounting';
import { communicationIds, configured, messageSent, recordOf } from './log-events.factory';
import { sleep, until } from './report';
import type { ReceiverHandle } from './receiver.handle';
import {
  benchNames,
  counter,
  memoryOf,
  startDispatcher,
  startProjector,
  type BenchNames,
  type RunningService,
} from './services.launcher';

export const COMMUNICATIONS = 60;

/** One GET per MessageSent, with variables from every source so rendering does real work. */
export const callbackUrl = (base: string) =>
  `${base}/cb/\${tenant}/students/\${studentId}?message=\${id}&batch=\${batchId}&term=\${term}`;

export interface DispatchStack {
  names: BenchNames;
  comms: string[];
  dispatcher: RunningService;
  projector: RunningService;
}

export async function startDispatchStack(
  run: BenchRun,
  prefix: string,
  receiver: ReceiverHandle,
  dispatcherEnv: Record<string, string>,
  urlOf: (base: string) => string = callbackUrl,
): Promise<DispatchStack> {
  const names = benchNames(prefix);
  run.topics.push(names.log, names.retry, names.state, names.parked);
  run.schemas.push(names.schema);
  await run.producer.createTopic(names.log, names.partitions);
  const comms = communicationIds(COMMUNICATIONS, prefix);
  await run.producer.sendOrdered(
    names.log,
    comms.map((c) =>
      recordOf(
        configured(c, [
          { id: 'mail-history', event: 'MessageSent', method: 'GET', url: urlOf(receiver.baseUrl) },
        ]),
      ),
    ),
  );
  const [projector, dispatcher] = await Promise.all([
    startProjector(names).then((s) => run.track(s)),
    startDispatcher(names, dispatcherEnv).then((s) => run.track(s)),
  ]);
  // Both have read the configurations before the load starts.
  for (let i = 0; i < 300 && (await run.postgres.eventsProjected(names.schema)) < COMMUNICATIONS; i += 1)
    await sleep(100);
  return { names, comms, dispatcher, projector };
}

export interface BurstResult {
  produceSeconds: number;
  receivedSeconds: number;
  projectedSeconds: number;
  requests: number;
  /** Attempts not finished within the dispatcher's batch wait, recorded later by the retry path. */
  handedOff: number;
  memory: Record<string, number>;
  /** Where the machine's CPU went from the first event produced to the last attempt projected. */
  cpu: CpuSplit;
  /** The same, up to the last callback received. */
  cpuToReceived: CpuSplit;
}

/**
 * Produces `events` MessageSent events at once; waits for the callbacks and (unless told not to)
 * for every attempt to be projected.
 */
export async function burst(
  run: BenchRun,
  stack: DispatchStack,
  receiver: ReceiverHandle,
  events: number,
  timeoutMs: number,
  waitForProjection = true,
  onReceived: () => void = () => {},
): Promise<BurstResult> {
  receiver.reset();
  const base = await run.postgres.attempts(stack.names.schema);
  const t0 = Date.now();
  const cpuSplit = startCpuAccounting();
  let produceSeconds = NaN;
  const producing = run.producer
    .sendMany(stack.names.log, events, (i) => recordOf(messageSent(stack.comms[i % COMMUNICATIONS], i)))
    .then((s) => (produceSeconds = s));
  let receivedAt = 0;
  let projectedAt = 0;
  let cpuToReceived: CpuSplit | undefined;
  let requests = 0;
  const deadline = t0 + timeoutMs;
  while (projectedAt === 0 && (waitForProjection || receivedAt === 0)) {
    if (Date.now() > deadline) {
      throw new Error(
        `after ${timeoutMs / 1000} s: ${requests} of ${events} callbacks received, projection behind`,
      );
    }
    await sleep(200);
    if (receivedAt === 0) {
      requests = (await receiver.stats()).requests;
      if (requests >= events) {
        receivedAt = Date.now();
        cpuToReceived = cpuSplit();
        onReceived();
      }
    }
    // Counting rows is cheap next to the load; polled less often to stay out of its way.
    if (receivedAt !== 0 && (await run.postgres.attempts(stack.names.schema)) - base >= events)
      projectedAt = Date.now();
  }
  const cpu = cpuSplit();
  await producing;
  const memory: Record<string, number> = {};
  for (const s of [stack.dispatcher, stack.projector])
    memory[s.service.name] = memoryOf(s.service.pid)?.peakMiB ?? NaN;
  return {
    produceSeconds,
    receivedSeconds: (receivedAt - t0) / 1000,
    projectedSeconds: projectedAt === 0 ? NaN : (projectedAt - t0) / 1000,
    requests: (await receiver.stats()).requests,
    handedOff: await counter(stack.dispatcher.url, 'dispatcher_attempts_handed_off_total'),
    memory,
    cpu,
    cpuToReceived: cpuToReceived!,
  };
}

/** Waits until both dispatchers' /health report log partitions and together own all of them. */
export async function untilPartitionsSpread(
  urls: [string, string],
  partitions: number,
  pollMs: number,
): Promise<void> {
  const ownedBy = async (url: string) => {
    const res = await fetch(`${url}/health`).catch(() => undefined);
    const body = res?.ok ? ((await res.json()) as { info: { partitions: { log: number[] } } }) : undefined;
    return body?.info.partitions.log ?? [];
  };
  await until(
    async () => {
      const [a, b] = await Promise.all(urls.map(ownedBy));
      return a.length > 0 && b.length > 0 && a.length + b.length === partitions;
    },
    'partitions spread over both dispatchers',
    120_000,
    pollMs,
  );
}
