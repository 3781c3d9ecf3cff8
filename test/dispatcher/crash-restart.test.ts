import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { eventually, kafkaBrokers, uniqueName } from '../support/environment';
import { TestKafka } from '../support/kafka';
import {
  append,
  awaitAttempts,
  awaitRetriesSettled,
  configured,
  eventsOf,
  messageSent,
  ofType,
  Receiver,
  TEST_KEYS,
} from './dispatcher-fixtures';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist/apps/dispatcher/apps/dispatcher/src/main.js');
const RETRY_DELAY_MS = 10_000;

/**
 * The built dispatcher as a child process (`npm test` builds it first; or `npx nest build
 * dispatcher`). It is killed with SIGKILL between two attempts and started again: the retry must
 * still happen once, on time, with no duplicate CallbackAttempted on the log.
 */
describe('dispatcher: SIGKILL between attempts', () => {
  const tk = new TestKafka();
  const children: ChildProcess[] = [];
  let rx: Receiver;
  const env = {
    ...process.env,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    LOG_TOPIC: uniqueName('log'),
    RETRY_TOPIC: uniqueName('retry'),
    STATE_TOPIC: uniqueName('state'),
    CONSUMER_GROUP: uniqueName('dispatcher'),
    LOG_PARTITIONS: '2',
    SECRETS_KEYS: TEST_KEYS,
    CALLBACK_TIMEOUT_MS: '1000',
    // Longer than a restart (the dead member's session must expire first), like the real 5 minutes.
    RETRY_DELAY_MS: String(RETRY_DELAY_MS),
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    SSRF_ALLOWED_NETWORKS: '127.0.0.0/8',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
  };

  const start = () => {
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npx nest build dispatcher" first`);
    rx = await new Receiver((_r, nth) => ({ status: nth === 1 ? 503 : 200 })).start();
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await rx.stop();
    await tk.close();
  });

  it('performs the scheduled retry once, on time, after a SIGKILL and a restart', async () => {
    const first = start();
    const comm = uniqueName('comm');
    const admin = tk.kafka.admin();
    await admin.connect();
    try {
      await eventually(async () => ((await admin.listTopics()).includes(env.LOG_TOPIC) ? true : undefined), {
        what: 'the dispatcher created its topics',
      });
    } finally {
      await admin.disconnect();
    }
    await append(
      tk,
      env.LOG_TOPIC,
      configured(comm, [{ id: 'cb', event: 'MessageSent', method: 'GET', url: `${rx.base}/m/\${id}` }]),
      messageSent(comm),
    );
    const [attempt1] = await awaitAttempts(tk, env.LOG_TOPIC, comm, 1);
    expect(attempt1.data.outcome).toBe('retrying');

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    start();

    await eventually(() => (rx.requests.length >= 2 ? true : undefined), {
      what: 'the retry',
      timeoutMs: 30_000,
    });
    const due = Date.parse(attempt1.data.nextAttemptAt!);
    // On time: not before it is due, and within 2 s after.
    expect(rx.requests[1].at).toBeGreaterThanOrEqual(due - 50);
    expect(rx.requests[1].at - due).toBeLessThan(2000);

    const attempts = await awaitAttempts(tk, env.LOG_TOPIC, comm, 2);
    // Fences, then the absence of duplicates: a later event of the communication is called back
    // (so the restarted process has handled every earlier log event of it, in log order), and the
    // retry record is settled by its done marker (so it can never fire again).
    const fence = messageSent(comm);
    await append(tk, env.LOG_TOPIC, fence);
    await eventually(
      () => (rx.requests.some((r) => r.url === `/m/${fence.data.messageId}`) ? true : undefined),
      {
        what: 'the callback of a later event',
      },
    );
    await awaitRetriesSettled(tk, env.RETRY_TOPIC, comm);
    const final = ofType(await eventsOf(tk, env.LOG_TOPIC, comm), 'CallbackAttempted').filter(
      (a) => a.data.callbackId === attempt1.data.callbackId,
    );
    expect(final.map((a) => [a.data.attempt, a.data.outcome])).toEqual([
      [1, 'retrying'],
      [2, 'succeeded'],
    ]);
    expect(attempts[1].data.callbackId).toBe(attempt1.data.callbackId);
    expect(rx.requests.filter((r) => r.url !== `/m/${fence.data.messageId}`)).toHaveLength(2);
  });
});
