import { randomBytes } from 'node:crypto';

/** A short id unique to this test process: every topic, group and schema name includes it. */
export const RUN_ID = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
let counter = 0;

/** A fresh name (topic, consumer group, schema) that no other run or test uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${RUN_ID}_${counter}`.replace(/[^A-Za-z0-9_.-]/g, '_').toLowerCase();
}

export function kafkaBrokers(): string[] {
  const v = process.env.KAFKA_BROKERS;
  if (!v) throw new Error('KAFKA_BROKERS is not set (the jest global setup should have set it)');
  return v.split(',').map((s) => s.trim());
}

export function databaseUrl(): string {
  const v = process.env.DATABASE_URL;
  if (!v) throw new Error('DATABASE_URL is not set (the jest global setup should have set it)');
  return v;
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
