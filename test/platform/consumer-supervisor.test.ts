import { Consumer, Kafka, KafkaJSNonRetriableError, logLevel } from 'kafkajs';
import { ConsumerSupervisor, metricsRegistry } from '@app/platform';
import { eventually, kafkaBrokers, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';

/**
 * kafkajs leaves a consumer stopped for good after a non-retriable error (as it raises when a
 * restart finds no group coordinator during a broker outage). The supervisor must start a new one.
 * Here the first consumer's batch handler throws such an error, which kafkajs does not retry.
 */
describe('ConsumerSupervisor', () => {
  const tk = new TestKafka();
  const kafka = new Kafka({
    brokers: kafkaBrokers(),
    clientId: uniqueName('sup'),
    logLevel: logLevel.NOTHING,
  });
  afterAll(() => tk.close());

  function supervised(
    topic: string,
    handle: (value: string, generation: number) => void | Promise<void>,
    stallAfterMs?: number,
  ) {
    let generation = 0;
    /** kafkajs's crashes on the handler's non-retriable error. */
    const crashes: { restart: boolean }[] = [];
    /** The delay of every relaunch the supervisor scheduled. */
    const relaunches: number[] = [];
    const supervisor: ConsumerSupervisor = new ConsumerSupervisor({
      name: 'test',
      initialDelayMs: 200,
      ...(stallAfterMs !== undefined && { stallAfterMs }),
      setTimer: (run, delayMs) => {
        relaunches.push(delayMs);
        return setTimeout(run, delayMs);
      },
      create: () => {
        generation += 1;
        const consumer = kafka.consumer({
          groupId: uniqueName('sup-group'),
          retry: { retries: 2, restartOnFailure: async () => supervisor.active },
        });
        // A broker that just started may answer "coordinator loading" first: kafkajs restarts
        // from that by itself, so only the failures of the handler's own error are followed.
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (payload.error.name === 'KafkaJSNonRetriableError') crashes.push({ restart: payload.restart });
        });
        return consumer;
      },
      run: async (consumer: Consumer) => {
        const mine = generation;
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => handle(message.value!.toString(), mine),
        });
      },
    });
    return { supervisor, crashes, relaunches, generations: () => generation };
  }

  it('starts a new consumer after kafkajs stopped one for good, and the record is consumed', async () => {
    const topic = uniqueName('sup-topic');
    await tk.createTopic(topic);
    await tk.send(topic, [{ value: 'hello' }]);
    const consumed: { value: string; generation: number }[] = [];
    const s = supervised(topic, (value, generation) => {
      if (generation === 1) throw new KafkaJSNonRetriableError('first consumer fails for good');
      consumed.push({ value, generation });
    });
    await s.supervisor.start();
    try {
      // Readiness (what /health reports) is down from the crash until the new consumer has joined.
      await eventually(() => (s.supervisor.readiness().reason?.startsWith('crashed') ? true : undefined), {
        what: 'readiness down after the crash',
        timeoutMs: 30_000,
        intervalMs: 20,
      });
      await eventually(() => (consumed.length > 0 ? true : undefined), {
        what: 'the record consumed by a new consumer',
        timeoutMs: 30_000,
      });
      expect(s.crashes[0]).toEqual({ restart: false });
      expect(s.relaunches).toEqual([200]);
      expect(consumed).toEqual([{ value: 'hello', generation: 2 }]);
      expect(s.supervisor.current).toBeDefined();
      expect(s.supervisor.readiness()).toEqual({ status: 'up', lastAnswerMs: expect.any(Number) });
    } finally {
      await s.supervisor.stop();
    }
  });

  it('starts nothing more once stopped, even with a crash just before', async () => {
    const topic = uniqueName('sup-topic');
    await tk.createTopic(topic);
    await tk.send(topic, [{ value: 'x' }]);
    let crashedOnce!: () => void;
    const crashed = new Promise<void>((r) => (crashedOnce = r));
    const s = supervised(topic, () => {
      crashedOnce();
      throw new KafkaJSNonRetriableError('fails for good');
    });
    await s.supervisor.start();
    await crashed;
    await s.supervisor.stop();
    expect(s.supervisor.active).toBe(false);
    expect(s.supervisor.readiness()).toEqual({ status: 'down', reason: 'stopped' });
    expect(s.supervisor.current).toBeUndefined();
    // Fence: kafkajs reports the crash (its CRASH event, the only thing a relaunch follows). The
    // supervisor's listener runs in the same emit as the test's, which was attached first, so its
    // decision is made by then: no relaunch scheduled, no second consumer.
    await eventually(() => (s.crashes.length > 0 ? true : undefined), { what: 'the crash reported' });
    expect(s.crashes[0]).toEqual({ restart: false });
    expect(s.relaunches).toEqual([]);
    expect(s.generations()).toBe(1);
  });

  it('replaces a consumer whose batch never ends, and the record is consumed by the next one', async () => {
    const topic = uniqueName('sup-topic');
    await tk.createTopic(topic);
    await tk.send(topic, [{ value: 'stuck' }]);
    const restartsBefore = await stallRestarts('test');
    const consumed: { value: string; generation: number }[] = [];
    // The first consumer's handler waits for something that never comes, as a Kafka wait did
    // after a broker crash (decision 0685); the second one consumes.
    const s = supervised(
      topic,
      (value, generation) =>
        generation === 1 ? new Promise<void>(() => undefined) : void consumed.push({ value, generation }),
      2_000,
    );
    await s.supervisor.start();
    try {
      await eventually(() => (consumed.length > 0 ? true : undefined), {
        what: 'the record consumed by the consumer that replaced the stuck one',
        timeoutMs: 60_000,
      });
      expect(consumed).toEqual([{ value: 'stuck', generation: 2 }]);
      expect(s.relaunches).toEqual([0]);
      expect((await stallRestarts('test')) - restartsBefore).toBe(1);
      expect(s.supervisor.readiness()).toEqual({ status: 'up', lastAnswerMs: expect.any(Number) });
    } finally {
      await s.supervisor.stop();
    }
  }, 90_000);
});

/** `kafka_consumer_stall_restarts_total` of one consumer, as /metrics shows it. */
async function stallRestarts(consumer: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('kafka_consumer_stall_restarts_total')?.get();
  return metric?.values.find((v) => v.labels.consumer === consumer)?.value ?? 0;
}
