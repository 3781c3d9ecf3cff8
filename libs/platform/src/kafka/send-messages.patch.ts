/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's internal module, patched by its cache entry */

/**
 * kafkajs 2.2.4 (its last release) can write a transaction's records twice on a cluster. One send
 * goes to each partition leader at once; when one of those requests fails (CONCURRENT_TRANSACTIONS
 * on AddPartitionsToTxn, common right after a commit) the send is retried while the request to
 * another leader is still on its way. The retry picks the leaders that have not answered yet, that
 * one included, waits for its lock, and sends its records again under the next sequence numbers:
 * the broker takes them as new. A second dispatcher joining during load recorded 30 retry
 * attempts twice that way (same event ids, consecutive offsets; decisions 0681 and 0685); one
 * broker never shows it (one leader, one request).
 *
 * Here a retry of a send first waits until every request of the attempt before it has ended, so
 * the leaders that did answer are known and skipped, as kafkajs means to. kafkajs binds the
 * module when its producer loads, so this must load first: `kafka.client.ts` imports it before
 * kafkajs, and a service refuses to start if it loaded late. (Under jest a test file has
 * usually loaded kafkajs first; the in-process tests run on one broker, where the defect cannot
 * happen, and the services the cluster suite runs are Node processes.)
 */
type Retrier = <T>(
  fn: (bail: (e: Error) => void, retryCount: number, retryTime: number) => Promise<T>,
) => Promise<T>;
interface Broker {
  nodeId: number;
}
interface EosManager {
  acquireBrokerLock(broker: Broker): Promise<void>;
  releaseBrokerLock(broker: Broker): void;
}
interface SendMessagesDeps {
  retrier: Retrier;
  eosManager: EosManager;
  [other: string]: unknown;
}
export type SendMessagesFactory = (deps: SendMessagesDeps) => unknown;

const SEND_MESSAGES = require.resolve('kafkajs/src/producer/sendMessages');
const MESSAGE_PRODUCER = require.resolve('kafkajs/src/producer/messageProducer');

/** Sends made through the patched code (a check that the patch is in use). */
export let patchedSends = 0;

/** Per producer: requests of its sends between their broker lock and its release. */
class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  started(): void {
    this.count += 1;
  }

  ended(): void {
    this.count -= 1;
    if (this.count > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

/** kafkajs's `sendMessages` factory, its retries made to wait for the attempt before (exported for its spec). */
export function waitingRetries(original: SendMessagesFactory): SendMessagesFactory {
  return (deps) => {
    const inFlight = new InFlight();
    const eos = deps.eosManager;
    const eosManager = new Proxy(eos, {
      get(target, key, receiver) {
        if (key === 'acquireBrokerLock')
          return (broker: Broker) => {
            inFlight.started();
            // No lock, no request: a failed acquire is never released.
            return target.acquireBrokerLock(broker).catch((e: unknown) => {
              inFlight.ended();
              throw e;
            });
          };
        if (key === 'releaseBrokerLock')
          return (broker: Broker) => {
            try {
              return target.releaseBrokerLock(broker);
            } finally {
              inFlight.ended();
            }
          };
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const retrier: Retrier = (fn) =>
      deps.retrier(async (bail, retryCount, retryTime) => {
        if (retryCount > 0) await inFlight.idle();
        else patchedSends += 1;
        return fn(bail, retryCount, retryTime);
      });
    return original({ ...deps, eosManager, retrier });
  };
}

const cache = require.cache as Record<string, { exports: unknown } | undefined>;
// Under jest, a test file has usually loaded kafkajs itself by now; its registry is not Node's.
const underJest = process.env.JEST_WORKER_ID !== undefined;
if (cache[MESSAGE_PRODUCER] && !underJest)
  throw new Error('send-messages.patch must load before kafkajs (import @app/platform first)');
const original = require(SEND_MESSAGES) as SendMessagesFactory;
const entry = cache[SEND_MESSAGES];
if (entry && !cache[MESSAGE_PRODUCER]) entry.exports = waitingRetries(original);
