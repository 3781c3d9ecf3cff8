import { z } from 'zod';
import { communicationConfiguredStoredV1, uuidSchema } from '@app/contracts';
import type { CommunicationState } from './communication.state';

/**
 * Key of a communication's snapshot: the log's marker and the communication id. Compaction keeps
 * one record per key, so two logs sharing a state topic (two deployments on one broker, a log
 * recreated under its old name) never overwrite each other's snapshots (decision 0643).
 */
export const stateRecordKey = (logMarker: string, communicationId: string): string =>
  `${logMarker}|${communicationId}`;

/** Snapshot of one communication on the compacted state topic (key: `stateRecordKey`). */
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
