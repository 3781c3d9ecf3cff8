import { performance } from 'node:perf_hooks';
import type { BulkProducer } from './bulk.producer';
import type { KafkaRecord } from './log-events.factory';

const TICK_MS = 10;
const MAX_IN_FLIGHT = 50;

/**
 * Produces `perSecond` records for `seconds`, in small sends every TICK_MS scheduled on absolute
 * time (no drift). `make(i, sentAtMs)` builds record i stamped with the wall-clock time it is
 * handed to the producer. Returns the rate actually achieved.
 */
export async function produceSteadily(
  producer: BulkProducer,
  topic: string,
  perSecond: number,
  seconds: number,
  make: (i: number, sentAtMs: number) => KafkaRecord,
): Promise<{ sent: number; achievedPerSecond: number; droppedTicks: number }> {
  const total = perSecond * seconds;
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let droppedTicks = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond));
    if (due > sent && inFlight.size < MAX_IN_FLIGHT) {
      const records: KafkaRecord[] = [];
      for (; sent < due; sent += 1) records.push(make(sent, performance.timeOrigin + performance.now()));
      const p = producer.send(topic, records).finally(() => inFlight.delete(p));
      inFlight.add(p);
    } else if (due > sent) {
      droppedTicks += 1;
    }
    const nextTick = started + Math.ceil((performance.now() - started + 0.001) / TICK_MS) * TICK_MS;
    await new Promise((r) => setTimeout(r, Math.max(0, nextTick - performance.now())));
  }
  await Promise.all(inFlight);
  return { sent, achievedPerSecond: sent / ((performance.now() - started) / 1000), droppedTicks };
}
