import { nextStep, pauseBefore, type ParkingPolicy } from './parking.policy';

const policy: ParkingPolicy = { batchAttempts: 3, recordAttempts: 2, firstPauseMs: 100, maxPauseMs: 300 };

describe('parking policy', () => {
  it('hands every transient failure back to the consumer, however often it happened', () => {
    expect(nextStep(policy, 'batch', 'transient', 1)).toEqual({ do: 'rethrow' });
    expect(nextStep(policy, 'record', 'transient', 99)).toEqual({ do: 'rethrow' });
  });

  it('retries a deterministically failing batch with growing pauses, then isolates its records', () => {
    expect(nextStep(policy, 'batch', 'deterministic', 1)).toEqual({ do: 'retry', pauseMs: 100 });
    expect(nextStep(policy, 'batch', 'deterministic', 2)).toEqual({ do: 'retry', pauseMs: 200 });
    expect(nextStep(policy, 'batch', 'deterministic', 3)).toEqual({ do: 'isolate' });
  });

  it('retries an isolated record, then parks it', () => {
    expect(nextStep(policy, 'record', 'deterministic', 1)).toEqual({ do: 'retry', pauseMs: 100 });
    expect(nextStep(policy, 'record', 'deterministic', 2)).toEqual({ do: 'park' });
  });

  it('caps the pause', () => {
    expect([2, 3, 4, 5].map((a) => pauseBefore(policy, a))).toEqual([100, 200, 300, 300]);
  });
});
