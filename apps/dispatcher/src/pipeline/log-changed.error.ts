/**
 * The log changed under a batch (decision 0643): nothing is committed. It is no record's fault, so
 * it is marked retriable: the parking guard hands it back to the consumer and never parks for it.
 */
export const logChangedError = (): Error =>
  Object.assign(new Error('the log changed; batch not committed'), { retriable: true });
