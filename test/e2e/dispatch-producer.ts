import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { CURRENT_VERSION, InboundEvent, logHeadersOf, validateEvent } from '@app/contracts';
import { kafkaBrokers, uniqueName } from '../support/environment';

/**
 * Plays Dispatch: builds events from the published examples (examples/events) and produces them
 * with a plain kafkajs producer, the way a producer inside Dispatch would, using nothing but the
 * published contracts. Ids are fresh and URLs point at local receivers.
 */
const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples', 'events');
const EXAMPLE_HOSTS = /^https:\/\/(apps\.example\.edu|hooks\.example\.com)/;

type Of<K extends InboundEvent['type']> = Extract<InboundEvent, { type: K }>;
type Attributes = Of<'MessageSent'>['data']['memberAttributes'];

function example<K extends InboundEvent['type']>(file: string, type: K): Of<K> {
  const event = JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as Of<K>;
  if (event.type !== type) throw new Error(`${file} is not a ${type}`);
  return event;
}

const envelope = <K extends InboundEvent['type']>(type: K, communicationId: string) => ({
  id: randomUUID(),
  type,
  version: CURRENT_VERSION[type],
  occurredAt: new Date().toISOString(),
  communicationId,
});

/** A member of the population, shaped like the example members, unique by `n`. */
export function member(n: number): Attributes {
  const base = example('02-MessageSent.json', 'MessageSent').data.memberAttributes;
  const number = String(480000 + n).padStart(8, '0');
  return { ...base, id: `M-${number}`, studentId: number, email: `student${number}@example.edu` };
}

/**
 * The example configuration, with every callback URL moved from the example hosts to `baseUrl`
 * (a local receiver). `adjust` changes the callbacks or notification list for one scenario.
 */
export function configured(
  communicationId: string,
  baseUrl: string,
  adjust: (d: Of<'CommunicationConfigured'>['data']) => Of<'CommunicationConfigured'>['data'] = (d) => d,
): Of<'CommunicationConfigured'> {
  const { data } = example('01-CommunicationConfigured.json', 'CommunicationConfigured');
  const callbacks = data.callbacks.map((c) => ({ ...c, url: c.url.replace(EXAMPLE_HOSTS, `${baseUrl}/$1`) }));
  return { ...envelope('CommunicationConfigured', communicationId), data: adjust({ ...data, callbacks }) };
}

export function messageSent(
  communicationId: string,
  batchId: string,
  messageId: string,
  attributes: Attributes,
): Of<'MessageSent'> {
  const { data } = example('02-MessageSent.json', 'MessageSent');
  return {
    ...envelope('MessageSent', communicationId),
    data: { ...data, messageId, batchId, memberAttributes: attributes },
  };
}

export function smsStatusChanged(
  communicationId: string,
  batchId: string,
  messageId: string,
  attributes: Attributes,
  change: {
    status: 'queued' | 'sent' | 'delivered' | 'undelivered';
    previousStatus: 'queued' | 'sent' | null;
    errorCode: number | null;
  },
): Of<'MessageDeliveryStatusChanged'> {
  const { data } = example('03-MessageDeliveryStatusChanged.json', 'MessageDeliveryStatusChanged');
  if (data.channel !== 'sms') throw new Error('the example status change is an SMS one');
  return {
    ...envelope('MessageDeliveryStatusChanged', communicationId),
    data: { ...data, messageId, batchId, memberAttributes: attributes, ...change },
  };
}

export function deliveryProblem(
  communicationId: string,
  batchId: string,
  messageId: string,
  attributes: Attributes,
): Of<'MessageDeliveryProblem'> {
  const { data } = example('04-MessageDeliveryProblem.json', 'MessageDeliveryProblem');
  return {
    ...envelope('MessageDeliveryProblem', communicationId),
    data: { ...data, messageId, batchId, memberAttributes: attributes },
  };
}

export function completed(
  communicationId: string,
  batchId: string,
  messageCount: number,
): Of<'CommunicationCompleted'> {
  const { data } = example('05-CommunicationCompleted.json', 'CommunicationCompleted');
  return { ...envelope('CommunicationCompleted', communicationId), data: { ...data, batchId, messageCount } };
}

/** A kafkajs producer writing inbound events, keyed by communication id as the contract asks. */
export class DispatchProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    private readonly topic: string,
    brokers: string[] = kafkaBrokers(),
  ) {
    const kafka = new Kafka({
      brokers,
      clientId: uniqueName('dispatch'),
      logLevel: logLevel.NOTHING,
    });
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
    });
  }

  /** Validates every event against the published contract first: a producer bug fails here. */
  async send(events: InboundEvent[]): Promise<void> {
    for (const e of events) {
      const checked = validateEvent(e, 'inbound');
      if (!checked.ok)
        throw new Error(
          `${e.type} ${e.id}: ${checked.rejection.code} ${JSON.stringify(checked.rejection.issues)}`,
        );
    }
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: events.map((e) => ({
        key: e.communicationId,
        value: JSON.stringify(e),
        headers: logHeadersOf(e),
      })),
    });
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
  }
}
