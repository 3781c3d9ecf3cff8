import type { LogEventOf } from '@app/contracts';

/** The body of a `CommunicationCompleted` POST callback (SPEC §2 rule 1). */
export interface CompletionBody {
  communicationId: string;
  batchId: string;
  /** The batch resource served by the projector; `?includemembers=true` adds the members. */
  batchUrl: string;
}

/**
 * JSON body that references the delivered batch. `publicBaseUrl` is where receivers reach the
 * projector's read API (configuration); trailing slashes are ignored so `https://x/` works too.
 */
export function completionBody(event: LogEventOf<'CommunicationCompleted'>, publicBaseUrl: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const body: CompletionBody = {
    communicationId: event.communicationId,
    batchId: event.data.batchId,
    batchUrl: `${base}/v1/batches/${encodeURIComponent(event.data.batchId)}`,
  };
  return JSON.stringify(body);
}
