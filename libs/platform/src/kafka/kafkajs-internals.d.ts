// kafkajs ships its sources; the protocol error table is not in its public typings.
declare module 'kafkajs/src/protocol/error' {
  export const errorCodes: ReadonlyArray<{ type: string; code: number; retriable: boolean; message: string }>;
}

declare module 'kafkajs/src/network/requestQueue' {
  /** One broker connection's queue of requests (kafkajs internals, see request-queue.patch.ts). */
  export default class RequestQueue {
    constructor(options: Record<string, unknown>);
    pending: unknown[];
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    push(request: unknown): void;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
    destroy(): void;
  }
}
