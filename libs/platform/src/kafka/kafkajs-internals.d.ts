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

declare module 'kafkajs/src/protocol/requests/fetch/*/response' {
  /** A Fetch response version (kafkajs internals, see fetch-response.patch.ts); `parse` is replaceable. */
  const response: { decode(raw: Buffer): Promise<unknown>; parse(data: unknown): Promise<unknown> };
  export default response;
}

declare module 'kafkajs/src/consumer/filterAbortedMessages' {
  /** kafkajs's own read_committed filter (its spec shows what fetch-response.patch.ts corrects). */
  export default function filterAbortedMessages(args: {
    messages: unknown[];
    abortedTransactions?: unknown[];
  }): unknown[];
}

declare module 'kafkajs/src/broker' {
  /** One broker's connection and requests (kafkajs internals, see bench/experiments/coordinator-cache.preload.ts). */
  export default class Broker {
    isConnected(): boolean;
  }
}

declare module 'kafkajs/src/cluster' {
  import type Broker from 'kafkajs/src/broker';
  /** A client's view of the cluster (kafkajs internals, see bench/experiments/coordinator-cache.preload.ts). */
  export default class Cluster {
    findGroupCoordinator(args: { groupId: string; coordinatorType?: number }): Promise<Broker>;
  }
}

declare module 'kafkajs/src/producer/sendMessages' {
  /** kafkajs's send, per producer (kafkajs internals, see send-messages.patch.ts). */
  const createSendMessages: (deps: Record<string, unknown>) => unknown;
  export default createSendMessages;
}

declare module 'kafkajs/src/retry' {
  /** kafkajs's retrier factory (its spec drives kafkajs's own send with it). */
  const createRetry: (options: {
    initialRetryTime?: number;
    retries?: number;
  }) => <T>(
    fn: (bail: (e: Error) => void, retryCount: number, retryTime: number) => Promise<T>,
  ) => Promise<T>;
  export default createRetry;
}
