/**
 * The naive baseline of benchmark 3: callbacks written the way a team would write them without
 * this service — a kafkajs consumer with `eachMessage`, one `fetch` per message, and the result
 * produced to a topic, one record at a time, before the next message is read. It has no retries,
 * no durable state, no secrets and no SSRF guard; it exists only to be measured against.
 *
 * Environment: KAFKA_BROKERS (and KAFKA_SSL, KAFKA_SASL_* as the services), LOG_TOPIC, RESULT_TOPIC, CONSUMER_GROUP. Prints "naive dispatcher
 * running" once consuming.
 */
import { logLevel } from 'kafkajs';
import { benchKafka } from '../support/bench.env';

interface Callback {
  event: string;
  method: 'GET' | 'POST';
  url: string;
}

interface LogRecord {
  id: string;
  type: string;
  communicationId: string;
  data: {
    callbacks?: Callback[];
    environment?: Record<string, unknown>;
    memberAttributes?: Record<string, unknown>;
    messageId?: string;
    batchId?: string;
  };
}

const required = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

async function main(): Promise<void> {
  required('KAFKA_BROKERS');
  const kafka = benchKafka('naive-dispatcher', logLevel.ERROR);
  const logTopic = required('LOG_TOPIC');
  const resultTopic = required('RESULT_TOPIC');
  const consumer = kafka.consumer({ groupId: required('CONSUMER_GROUP') });
  const producer = kafka.producer();
  // A configuration per communication, as read from the log (lost on restart: it is naive).
  const configs = new Map<string, { callbacks: Callback[]; environment: Record<string, unknown> }>();

  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: logTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString()) as LogRecord;
      if (event.type === 'CommunicationConfigured') {
        configs.set(event.communicationId, {
          callbacks: event.data.callbacks ?? [],
          environment: event.data.environment ?? {},
        });
        return;
      }
      const config = configs.get(event.communicationId);
      for (const callback of config?.callbacks.filter((c) => c.event === event.type) ?? []) {
        const vars: Record<string, unknown> = {
          ...config!.environment,
          ...event.data.memberAttributes,
          batchId: event.data.batchId,
          communicationId: event.communicationId,
          id: event.data.messageId,
        };
        const url = callback.url.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
          encodeURIComponent(String(vars[name] ?? '')),
        );
        let status: number;
        try {
          const res = await fetch(url, {
            method: callback.method,
            headers: { 'idempotency-key': `${event.id}.${callback.event}` },
          });
          await res.arrayBuffer();
          status = res.status;
        } catch {
          status = 0;
        }
        await producer.send({
          topic: resultTopic,
          messages: [
            {
              key: event.communicationId,
              value: JSON.stringify({ eventId: event.id, url, status, at: new Date().toISOString() }),
            },
          ],
        });
      }
    },
  });
  process.stdout.write('naive dispatcher running\n');
  const stop = async () => {
    await consumer.disconnect();
    await producer.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((e) => {
  process.stderr.write(`naive dispatcher failed: ${String(e)}\n`);
  process.exit(1);
});
