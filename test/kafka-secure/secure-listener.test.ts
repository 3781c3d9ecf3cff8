import { readFileSync } from 'node:fs';
import { callbackIdOf, type InboundEvent } from '@app/contracts';
import { CallbackReceiver } from '../support/callback-receiver';
import { builtEntry, ChildService, runScript } from '../support/child-service';
import { databaseUrl, uniqueName } from '../support/environment';
import { freePort } from '../support/free-port';
import { PrivateBroker } from '../support/private-broker';
import { SmtpCapture } from '../support/smtp-capture';
import { configured, member, messageSent } from '../e2e/dispatch-producer';
import {
  projectorApi,
  removeE2eTraces,
  startE2eStack,
  stopE2eStack,
  waitForStack,
  type E2eStack,
  replayAndVerify,
} from '../e2e/e2e-stack';

/**
 * The three services and the tools against a broker started by `scripts/kafka.sh secure`, given
 * ONLY its SASL_SSL listener: TLS verified against the script's throw-away CA, one SCRAM principal
 * per service with its password in a file, as docs/operations.md tells an operator to deploy. The
 * broker is this file's own, so nothing else in the run meets its listener.
 */
const broker = new PrivateBroker(undefined, true);
let smtp: SmtpCapture | undefined;
let receiver: CallbackReceiver | undefined;
let stack: E2eStack | undefined;

const secured = (user: 'ingest' | 'dispatcher' | 'projector' | 'tools', mechanism = 'scram-sha-512') => ({
  KAFKA_BROKERS: broker.secureBrokers.join(','),
  KAFKA_SSL: 'true',
  KAFKA_SSL_CA_FILE: broker.caFile,
  KAFKA_SASL_MECHANISM: mechanism,
  KAFKA_SASL_USERNAME: user,
  KAFKA_SASL_PASSWORD_FILE: broker.passwordFile(user),
});

/** Authentication failures the broker logged so far (one line per refused connection). */
const failedAuthentications = () =>
  readFileSync(broker.serverLog, 'utf8')
    .split('\n')
    .filter((l) => l.includes('Failed authentication')).length;

beforeAll(async () => {
  await broker.start();
  smtp = await SmtpCapture.start();
  receiver = await CallbackReceiver.start();
  stack = await startE2eStack({ smtpUrl: smtp.url, kafka: (service) => secured(service) });
}, 240_000);

afterAll(async () => {
  await stopE2eStack(stack);
  await receiver?.close();
  await smtp?.close();
  // The topics went with the private broker; only the schema is left to drop.
  await broker.destroy();
  if (stack) await removeE2eTraces({ ...stack, topics: {} as E2eStack['topics'] }).catch(() => undefined);
}, 120_000);

describe('Kafka over SASL_SSL only (scripts/kafka.sh secure)', () => {
  test('ingest → dispatcher → projector: every callback is sent and its history read back; replay and verify agree', async () => {
    const communicationId = uniqueName('comm-secure');
    const batchId = uniqueName('batch-secure');
    const config = configured(communicationId, receiver!.baseUrl, (d) => ({
      ...d,
      callbacks: d.callbacks.filter((c) => c.id === 'student-mail-history'),
    }));
    const sent = Array.from({ length: 5 }, (_, i) =>
      messageSent(communicationId, batchId, crypto.randomUUID(), member(i)),
    );
    // Through ingest's HTTP intake: the only way in that needs no Kafka client in the test.
    const res = await fetch(`${stack!.ingestUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack!.apiKey}` },
      body: JSON.stringify([config, ...sent] as InboundEvent[]),
    });
    expect(res.status).toBeLessThan(300);

    const keys = sent.map((e) => callbackIdOf(e.id, 'student-mail-history'));
    await waitForStack(stack, '5 callbacks at the receiver', () =>
      keys.every((k) => receiver!.byKey(k).length > 0) ? true : undefined,
    );
    const attempts = await waitForStack(stack, 'the 5 attempts in the read API', async () => {
      const { status, body } = await projectorApi<{ items: { outcome: string }[] }>(
        stack!,
        `/v1/communications/${communicationId}/attempts?limit=50`,
      );
      return status === 200 && body.items.length === 5 ? body.items : undefined;
    });
    expect(attempts.map((a) => a.outcome)).toEqual(Array(5).fill('succeeded'));

    // The tools take the same variables; here a principal of their own, over PLAIN (inside TLS).
    const tools = { ...stack!.projectorEnv, ...secured('tools', 'plain') };
    const replaySchema = uniqueName('secure_replay');
    await replayAndVerify(stack!, tools, replaySchema);
    await removeE2eTraces({ ...stack!, topics: {} as E2eStack['topics'], schema: replaySchema });
  });

  test('a wrong password stops a service at start-up: exit 77, one clear line, no retry storm, no password', async () => {
    const wrong = 'wrong-password-never-printed';
    const before = failedAuthentications();
    const started = Date.now();
    const dispatcher = new ChildService('dispatcher-wrong-password', builtEntry('dispatcher'), {
      ...secured('dispatcher'),
      KAFKA_SASL_PASSWORD_FILE: '',
      KAFKA_SASL_PASSWORD: wrong,
      LOG_TOPIC: uniqueName('secure.unused'),
      SECRETS_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(await freePort()),
      LOG_FORMAT: 'json',
    });
    let timer: NodeJS.Timeout | undefined;
    const how = await Promise.race([
      dispatcher.ended,
      new Promise<'still running'>((r) => (timer = setTimeout(() => r('still running'), 30_000))),
    ]);
    clearTimeout(timer);
    if (how === 'still running') await dispatcher.kill();
    expect(how).toEqual({ code: 77, signal: null });
    // Refused at once: not after kafkajs's eight retries with back-off.
    expect(Date.now() - started).toBeLessThan(20_000);
    const output = dispatcher.tail(300);
    expect(output).toContain('refusing to start: Kafka refused the SASL credentials');
    expect(output).toContain('KAFKA_SASL_PASSWORD');
    expect(output).not.toContain(wrong);
    // The process has exited, so every attempt it made is in the broker's log by now.
    expect(failedAuthentications() - before).toBeGreaterThanOrEqual(1);
    expect(failedAuthentications() - before).toBeLessThanOrEqual(2);

    // A tool answers the same way.
    const audit = await runScript(
      builtEntry('projector', 'cli/audit.cli.js'),
      ['--communication', 'comm-any'],
      {
        ...secured('tools'),
        KAFKA_SASL_PASSWORD_FILE: '',
        KAFKA_SASL_PASSWORD: wrong,
        DATABASE_URL: databaseUrl(),
      },
      30_000,
    );
    expect(audit.code).toBe(77);
    expect(audit.stderr).toContain('audit: Kafka refused the SASL credentials');
    expect(audit.stdout + audit.stderr).not.toContain(wrong);
  });
});
