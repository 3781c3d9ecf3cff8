/**
 * A failure that is no record's fault (the log changed under a batch, decision 0643; a partition
 * taken over again meanwhile): marked retriable, so the parking rule (decision 0603) hands it back
 * to the consumer's own recovery and never counts it against the records.
 */
export const retriableError = (message: string): Error =>
  Object.assign(new Error(message), { retriable: true });

/** The log changed under a batch: nothing is committed. */
export const logChangedError = (): Error => retriableError('the log changed; batch not committed');
