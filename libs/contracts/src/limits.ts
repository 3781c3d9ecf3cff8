/**
 * Hard limits on what an event may carry. They protect every consumer of the log (memory, row
 * sizes, URL lengths) from one oversized or hostile producer. Changing a limit is a contract change:
 * raising one is backward compatible, lowering one is not.
 */
export const LIMITS = {
  /** Whole serialized event (envelope + data), in bytes. */
  maxEventBytes: 64 * 1024,
  /** Levels of nested objects and arrays in one event (the event itself is level 1). */
  maxJsonDepth: 32,
  /** Identifiers chosen by Dispatch (communication, batch, callback config ids...). */
  maxIdLength: 128,
  /** Campaign environment variables per communication. */
  maxEnvironmentVariables: 200,
  /** A callback id, `<triggerEventId>.<callbackConfigId>` (36 + 1 + 128 characters, with room). */
  maxCallbackIdLength: 300,
  /** Who asked for an operator action, as they named themselves (`by`). */
  maxOperatorLength: 128,
  /** Environment variable names. */
  maxNameLength: 128,
  /** Environment variable string values. */
  maxValueLength: 2048,
  /** Callbacks configured on one communication. */
  maxCallbacks: 50,
  /** A URL template before substitution. */
  maxUrlTemplateLength: 2048,
  /** A URL after substitution, as sent and as recorded (redacted) on an attempt. */
  maxRenderedUrlLength: 8192,
  /** Addresses on a notification list. */
  maxNotificationAddresses: 100,
  /** Free text (reasons, problem descriptions). */
  maxTextLength: 2000,
  /** Response body kept in a CallbackAttempted event. */
  maxResponseSnippetBytes: 4096,
  /** Secrets in clear (password, signing secret) as sent by a producer. */
  maxSecretLength: 1024,
  /** A receiver's `Retry-After` as recorded on an attempt (7 days; what is applied is bounded lower). */
  maxRecordedRetryAfterMs: 7 * 24 * 3600_000,
} as const;
