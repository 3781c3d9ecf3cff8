import { decodeRetryRecord, encodeRetryRecord, inFlightAttemptOf } from '../domain/retry.record';
import { AttemptHandOff, type RunningAttempt } from './attempt.hand-off';
import type { AttemptReport } from '../domain/attempt.outcome';

const config = {
  campaignId: 'c',
  campaignMode: 'production',
  environment: {},
  notificationList: [],
  callbacks: [{ id: 'cb', event: 'MessageSent', method: 'GET', url: 'https://example.org/x' }],
} as const;
const trigger = {
  id: 'e0000000-0000-4000-8000-000000000002',
  type: 'MessageSent',
  version: 1,
  occurredAt: '2026-01-01T00:00:00.000Z',
  communicationId: 'comm-1',
  data: { messageId: 'e0000000-0000-4000-8000-000000000003', batchId: 'b', memberAttributes: {} },
} as const;

const started = {
  communicationId: 'comm-1',
  callbackId: 'cb-1',
  callbackConfigId: 'cb',
  attempt: 1,
  epoch: 0,
  final: false,
  trigger: trigger as never,
  config: config as never,
};
const output: AttemptReport = {
  started,
  ref: {
    callbackId: 'cb-1',
    callbackConfigId: 'cb',
    triggerEventId: trigger.id,
    triggerType: 'MessageSent',
    messageId: trigger.data.messageId,
    method: 'GET',
    url: null,
  },
  sent: false,
};

const running = (callbackId: string, result: Promise<AttemptReport>, held = false): RunningAttempt => ({
  started: { ...started, callbackId },
  output: result,
  held,
});

describe('attempt hand-off', () => {
  it('records finished attempts and hands off running ones as decodable in-flight records', async () => {
    const sut = new AttemptHandOff(50, 5000, 10);
    const slow = new Promise<AttemptReport>((r) => setTimeout(() => r(output), 300));
    const c = await sut.collect(3, [running('fast', Promise.resolve(output)), running('slow', slow)]);
    expect(c.outputs).toEqual([output]);
    expect(c.handedOff).toHaveLength(1);
    const decoded = decodeRetryRecord(encodeRetryRecord(c.handedOff[0]));
    expect(decoded).toMatchObject({ ok: true, record: { callbackId: 'slow', attempt: 1, inFlight: true } });
    expect(sut.held('slow', 1)).toBe(slow);
    sut.committed(c);
    expect(sut.held('slow', 1)).toBe(slow);
    // Reached while still running (timeout longer than the delay): handed off again, not resent.
    const again = await sut.collect(3, [running('slow', sut.held('slow', 1)!, true)]);
    expect(again.handedOff).toHaveLength(1);
    expect(again.added).toEqual([]);
    sut.committed(again);
    await slow;
    // Reached once finished: the held promise is recorded and forgotten.
    const later = await sut.collect(3, [running('slow', sut.held('slow', 1)!, true)]);
    expect(later.outputs).toEqual([output]);
    sut.committed(later);
    expect(sut.size).toBe(0);
  });

  it('keeps the attempts of a failed transaction for its redo, and forgets partitions that moved', async () => {
    const sut = new AttemptHandOff(20, 5000, 10);
    const never = () => new Promise<AttemptReport>(() => undefined);
    const finished = Promise.resolve(output);
    const handedOff = running('a', never());
    await sut.collect(1, [handedOff, running('done', finished)]);
    await sut.collect(2, [running('b', never())]);
    // The transaction of partition 1 failed: what finished is kept too, so the redo sends nothing.
    sut.kept(1, [handedOff, running('done', finished)]);
    expect(sut.held('a', 1)).toBeDefined();
    expect(await sut.held('done', 1)).toBe(output);
    sut.retain([1]);
    expect(sut.held('b', 1)).toBeUndefined();
    expect(sut.size).toBe(2);
  });

  it('given handed-off attempts, then it tells which have ended (a stopping process records those) and how many are left', async () => {
    const sut = new AttemptHandOff(20, 5000, 10);
    let answer: (r: AttemptReport) => void = () => undefined;
    const pending = new Promise<AttemptReport>((r) => (answer = r));
    const c = await sut.collect(1, [running('a', pending), running('b', new Promise(() => undefined))]);
    sut.committed(c);
    sut.kept(1, [running('kept', Promise.resolve(output))]);
    expect({ a: sut.finished('a', 1), handedOff: sut.handedOff }).toEqual({ a: false, handedOff: 2 });
    answer(output);
    await pending;
    expect({ a: sut.finished('a', 1), b: sut.finished('b', 1) }).toEqual({ a: true, b: false });
    // In-flight record of `a` recorded: one left; the kept attempt is its redo's, not counted.
    sut.committed(await sut.collect(1, [running('a', sut.held('a', 1)!, true)]));
    expect({ handedOff: sut.handedOff, size: sut.size }).toEqual({ handedOff: 1, size: 2 });
  });

  it('drops kept attempts nobody claimed after a while', async () => {
    const sut = new AttemptHandOff(20, 5000, 10, 50);
    sut.kept(1, [running('a', Promise.resolve(output))]);
    await new Promise((r) => setTimeout(r, 80));
    sut.kept(1, []);
    expect(sut.size).toBe(0);
  });

  it('waits for the attempts instead of growing past its bound', async () => {
    const sut = new AttemptHandOff(20, 5000, 1);
    const slow = () => new Promise<AttemptReport>((r) => setTimeout(() => r(output), 100));
    const c = await sut.collect(1, [running('a', slow()), running('b', slow())]);
    expect(c.outputs).toHaveLength(2);
    expect(c.handedOff).toEqual([]);
    expect(sut.size).toBe(0);
  });

  it('accepts attempt 1 on the retry topic only as an in-flight record', () => {
    const record = {
      v: 1,
      communicationId: 'comm-1',
      callbackId: 'x',
      callbackConfigId: 'cb',
      attempt: 1,
      dueAt: '2026-01-01T00:00:00.000Z',
      epoch: 0,
      trigger,
      config,
    };
    expect(decodeRetryRecord(Buffer.from(JSON.stringify(record))).ok).toBe(false);
    expect(decodeRetryRecord(Buffer.from(JSON.stringify({ ...record, inFlight: true }))).ok).toBe(true);
    // The cheap look a stopping process takes at its waiting records.
    expect(inFlightAttemptOf(Buffer.from(JSON.stringify({ ...record, inFlight: true })))).toEqual({
      callbackId: 'x',
      attempt: 1,
    });
    expect(inFlightAttemptOf(Buffer.from(JSON.stringify({ ...record, attempt: 2 })))).toBeNull();
    expect(inFlightAttemptOf(Buffer.from('{"v":1,"done":["3"]}'))).toBeNull();
    expect(inFlightAttemptOf(Buffer.from('not json'))).toBeNull();
  });
});
