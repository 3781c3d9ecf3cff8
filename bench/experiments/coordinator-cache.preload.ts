import Broker from 'kafkajs/src/broker';
import Cluster from 'kafkajs/src/cluster';

/**
 * What-if experiment, never used by a normal bench run (BENCH_EXPERIMENT=coordinator-cache).
 *
 * kafkajs 2.2.4 (its last release) asks a broker for the coordinator (FindCoordinator) before
 * every coordinator request of a transaction: before AddPartitionsToTxn, AddOffsetsToTxn,
 * TxnOffsetCommit (the group's) and EndTxn. A transaction of ingest or the dispatcher is then nine
 * round trips to the broker instead of five; the Java client looks a coordinator up once and again
 * only after an error. Each client (every producer, consumer and admin has its own) now keeps what
 * it found for COORDINATOR_CACHE_MS, while the connection to it is open, and until a request to a
 * coordinator fails other than by the coordinator's own answer: the coordinator moved
 * (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS), the connection was
 * lost or the request timed out. After such a failure every client looks its coordinators up
 * again, as before, so kafkajs's own recovery paths see no difference. Measured, not shipped:
 * see decision 0755.
 */
export const COORDINATOR_CACHE_MS = 10_000;

interface Cached {
  broker: Broker;
  foundAt: number;
  generation: number;
}

/** Bumped by every failed coordinator request: nothing found before it is used again. */
let generation = 0;
const found = new WeakMap<Cluster, Map<string, Cached>>();

/** Forgets every coordinator found so far (what a failed coordinator request does). */
export function forgetCoordinators(): void {
  generation += 1;
}

type Lookup = { groupId: string; coordinatorType?: number };
const lookup = Cluster.prototype.findGroupCoordinator;
Cluster.prototype.findGroupCoordinator = async function (this: Cluster, args: Lookup): Promise<Broker> {
  const key = `${args.coordinatorType ?? 0}:${args.groupId}`;
  let mine = found.get(this);
  if (!mine) found.set(this, (mine = new Map()));
  const cached = mine.get(key);
  if (
    cached &&
    cached.generation === generation &&
    Date.now() - cached.foundAt < COORDINATOR_CACHE_MS &&
    cached.broker.isConnected()
  )
    return cached.broker;
  const at = { generation, foundAt: Date.now() };
  const broker = await lookup.call(this, args);
  mine.set(key, { broker, ...at });
  return broker;
};

/** The broker requests that go to a group's or a transaction's coordinator. */
const COORDINATOR_REQUESTS = [
  'heartbeat',
  'joinGroup',
  'leaveGroup',
  'syncGroup',
  'offsetCommit',
  'offsetFetch',
  'describeGroups',
  'deleteGroups',
  'initProducerId',
  'addPartitionsToTxn',
  'addOffsetsToTxn',
  'txnOffsetCommit',
  'endTxn',
] as const;

/** The coordinator's answers that say it is not (or no longer) the coordinator. */
const MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);

/**
 * Any failure but an answer of the coordinator itself (CONCURRENT_TRANSACTIONS after every commit,
 * REBALANCE_IN_PROGRESS, ...): a lost connection, a timeout, or the broker saying it is not the
 * coordinator.
 */
const notTheCoordinator = (e: unknown) => {
  const type = (e as { type?: unknown }).type;
  return typeof type !== 'string' || MOVED.has(type);
};

const methods = Broker.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
for (const name of COORDINATOR_REQUESTS) {
  const request = methods[name];
  methods[name] = async function (this: Broker, ...args: unknown[]) {
    try {
      return await request.apply(this, args);
    } catch (e) {
      if (notTheCoordinator(e)) forgetCoordinators();
      throw e;
    }
  };
}
