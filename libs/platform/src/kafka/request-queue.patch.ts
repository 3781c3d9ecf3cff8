import RequestQueue from 'kafkajs/src/network/requestQueue';

/**
 * kafkajs 2.2.4 (its last release) re-schedules its pending-request check after every check, even
 * with nothing pending, with a negative delay (`-1 - Date.now()`): Node runs it after 1 ms, and it
 * schedules the next. Each broker connection then wakes its process about 1,000 times a second for
 * nothing, and Node 24 prints a `TimeoutNegativeWarning` on stderr (kafkajs issues #1704, #1751).
 * The check only matters while requests wait: `push` schedules it again as soon as one does.
 */
const original = RequestQueue.prototype.scheduleCheckPendingRequests;
RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
  if (this.pending.length > 0) original.call(this);
};
