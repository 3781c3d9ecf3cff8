import { z } from 'zod';
import { idSchema } from '../envelope/envelope';

/** `CommunicationCompleted` v1 — all steps done, final status COMPLETE. */
export const communicationCompletedV1 = z
  .object({
    /** The batch of messages the communication delivered. */
    batchId: idSchema,
    status: z.literal('COMPLETE'),
    /** Number of messages in the batch, as Dispatch counted them. */
    messageCount: z.number().int().min(0).max(100_000_000),
  })
  .strict();

export type CommunicationCompleted = z.infer<typeof communicationCompletedV1>;
