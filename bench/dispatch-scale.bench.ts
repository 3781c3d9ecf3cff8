/**
 * Dispatch throughput with one and with two dispatcher instances (one consumer group), fast
 * receiver, in one run: the same burst (BENCH_EVENTS, 30 000 MessageSent on a 6-partition log)
 * through a fresh stack with one dispatcher, then through a fresh stack with two. Prints both
 * rates and two/one. On a machine with fewer cores than processes the ratio measures sharing the
 * CPU as much as spreading the partitions.
 */
import { benchMain } from './support/bench.main';
import { size, uniqueName } from './support/bench.env';
import { burst, startDispatchStack, untilPartitionsSpread } from './support/dispatch.scenario';
import { ReceiverHandle } from './support/receiver.handle';
import { figure, fmt } from './support/report';
import { startDispatcher, stopAll } from './support/services.launcher';

const EVENTS = size('EVENTS', 30_000);
const CONCURRENCY = '64';

benchMain('dispatch scale: one vs two dispatcher instances', async (run) => {
  const receiver = await ReceiverHandle.start();
  run.receivers.push(receiver);
  const env = { MAX_CONCURRENCY: CONCURRENCY, MAX_CONCURRENCY_PER_HOST: CONCURRENCY };

  const one = await startDispatchStack(run, 'scale1', receiver, env);
  const r1 = await burst(run, one, receiver, EVENTS, 20 * 60_000);
  await stopAll([one.dispatcher, one.projector]);
  run.services.length = 0;

  const group = uniqueName('bench-dispatcher');
  const two = await startDispatchStack(run, 'scale2', receiver, { ...env, CONSUMER_GROUP: group });
  const second = run.track(await startDispatcher(two.names, { ...env, CONSUMER_GROUP: group }));
  // Both own some of the log's partitions before the burst starts.
  await untilPartitionsSpread([two.dispatcher.url, second.url], two.names.partitions, 250);
  const r2 = await burst(run, two, receiver, EVENTS, 20 * 60_000);

  const rate = (seconds: number) => EVENTS / seconds;
  figure(
    'events / partitions / concurrency per instance',
    `${fmt(EVENTS)} / ${two.names.partitions} / ${CONCURRENCY}`,
  );
  figure(
    'one dispatcher: received / projected',
    `${fmt(rate(r1.receivedSeconds))} / ${fmt(rate(r1.projectedSeconds))} callbacks/s`,
  );
  figure(
    'two dispatchers: received / projected',
    `${fmt(rate(r2.receivedSeconds))} / ${fmt(rate(r2.projectedSeconds))} callbacks/s`,
  );
  figure('ratio two / one (received)', fmt(r1.receivedSeconds / r2.receivedSeconds, 2));
  figure('ratio two / one (end to end, projected)', fmt(r1.projectedSeconds / r2.projectedSeconds, 2));
});
