import { z } from 'zod';
import { communicationConfiguredStoredV1, uuidSchema } from '@app/contracts';
import type { CommunicationState } from './communication-state';

/** Snapshot of one communication on the compacted state topic (key = communicationId). */
const shape = z
  .object({
    v: z.literal(1),
    communicationId: z.string().min(1),
    config: communicationConfiguredStoredV1.nullable(),
    enabled: z.boolean(),
    epoch: z.number().int().min(0),
    // Snapshots written before the active period was tracked have none: active from the start.
    activeSince: uuidSchema.nullable().default(null),
    position: z.string().regex(/^-?\d+$/),
  })
  .strict();

export const encodeStateRecord = (state: CommunicationState): Buffer =>
  Buffer.from(JSON.stringify({ v: 1, ...state }));

export function decodeStateRecord(bytes: Buffer | null): CommunicationState | null {
  try {
    const parsed = shape.safeParse(JSON.parse(bytes?.toString('utf8') ?? ''));
    if (!parsed.success) return null;
    const { v: _v, ...state } = parsed.data;
    return state;
  } catch {
    return null;
  }
}
