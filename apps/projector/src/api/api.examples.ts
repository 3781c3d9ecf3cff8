/**
 * Examples shown by the OpenAPI document at /docs: one realistic story (a registrar communication
 * whose application was down for a while), so that the endpoints read together as a runbook.
 */
const COMMUNICATION = 'comm-2026-fall-reminders';
const CALLBACK = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f.student-mail-history';

export const ERROR_EXAMPLES = {
  unauthorized: {
    error: { code: 'unauthorized', message: 'a valid API key is required (Authorization: Bearer <key>)' },
  },
  adminKeyRequired: {
    error: { code: 'admin-key-required', message: 'this write needs an admin key (ADMIN_API_KEYS)' },
  },
  notFound: { error: { code: 'not-found', message: `communication "${COMMUNICATION}" is not known` } },
  notDisabled: { error: { code: 'not-disabled', message: `communication ${COMMUNICATION} is not disabled` } },
  disablePending: {
    error: {
      code: 'disable-pending',
      message: `communication ${COMMUNICATION} is being disabled (CommunicationDisabled not yet on the log); retry in a few seconds`,
    },
  },
  communicationDisabled: {
    error: {
      code: 'communication-disabled',
      message: `communication ${COMMUNICATION} is disabled: re-enable it first`,
    },
  },
  notResendable: {
    error: {
      code: 'not-resendable',
      message: `callback ${CALLBACK} is pending; only failed or cancelled callbacks are resent`,
    },
  },
  invalidParameter: {
    error: { code: 'invalid-parameter', message: 'cursor: not a cursor returned by this API' },
  },
};

export const COMMUNICATION_LIST_EXAMPLE = {
  items: [
    {
      communicationId: COMMUNICATION,
      status: 'disabled',
      campaignId: 'camp-2026-fall',
      disabled: {
        at: '2026-11-03T09:10:05.410Z',
        reason: `callback ${CALLBACK} (MessageSent, GET) failed after 3 attempt(s): status: HTTP 503 is not a success status`,
        by: 'projector',
        callbackId: CALLBACK,
        failedSince: 2,
        cancelledSince: 318,
      },
      enabled: null,
      updatedAt: '2026-11-03T09:41:12.002Z',
    },
  ],
  nextCursor: 'eyJhZnRlciI6ImNvbW0tMjAyNi1mYWxsLXJlbWluZGVycyJ9',
};

export const ATTEMPT_PAGE_EXAMPLE = {
  items: [
    {
      callbackId: CALLBACK,
      callbackConfigId: 'student-mail-history',
      event: 'MessageSent',
      messageId: 'e9f4d4ee-8318-4895-a3fb-1dfaa49cd66d',
      attempt: 1,
      startedAt: '2026-11-03T09:00:05.102Z',
      durationMs: 308,
      statusCode: 503,
      error: { kind: 'status', message: 'HTTP 503 is not a success status' },
      responseSnippet: 'Service Unavailable',
      outcome: 'retrying',
      nextAttemptAt: '2026-11-03T09:10:05.410Z',
      retryAfterMs: 600000,
      url: 'https://apps.example.edu/registrar/v2/students/00482913/mailhistory/e9f4d4ee-8318-4895-a3fb-1dfaa49cd66d',
      position: { partition: 4, offset: '18230' },
    },
    {
      callbackId: '7d2e9a10-1b2c-4d3e-8f4a-5b6c7d8e9f00.warehouse-load',
      callbackConfigId: 'warehouse-load',
      event: 'CommunicationCompleted',
      messageId: null,
      attempt: 1,
      startedAt: '2026-11-03T11:02:00.040Z',
      durationMs: 41,
      statusCode: 410,
      error: { kind: 'gone', message: 'HTTP 410 Gone: the receiver says this endpoint no longer exists' },
      responseSnippet: '',
      outcome: 'retrying',
      nextAttemptAt: '2026-11-03T11:07:00.081Z',
      retryAfterMs: null,
      url: 'https://warehouse.example.edu/loads/comm-2026-fall-reminders',
      position: { partition: 4, offset: '18911' },
    },
  ],
  nextCursor: 'eyJhZnRlciI6IjQ6MTg5MTEifQ',
};

export const ENABLE_EXAMPLE = { eventId: '0d6f2c1a-7e3b-4a5c-9d8e-1f2a3b4c5d6e' };

export const RESEND_EXAMPLE = {
  eventId: '5c4b3a29-1807-4f6e-9d5c-4b3a29180716',
  callbackId: CALLBACK,
  attempt: 4,
};

export const RECOVER_EXAMPLE = {
  recoveryId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  eventId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  planned: 321,
};

export const RECOVERIES_EXAMPLE = [
  {
    recoveryId: RECOVER_EXAMPLE.recoveryId,
    communicationId: COMMUNICATION,
    since: '2026-11-03T09:10:05.410Z',
    states: ['failed', 'cancelled'],
    by: 'jane.doe (on-call)',
    reason: 'the registrar API is back after the 09:00 outage (INC-4821)',
    adminKey: 'oncall',
    requestedAt: '2026-11-03T09:45:00.000Z',
    resent: 321,
    finishedAt: '2026-11-03T09:45:07.120Z',
  },
];

export const BATCH_EXAMPLE = {
  batchId: 'batch-2026-11-03-a',
  communicationId: COMMUNICATION,
  status: 'complete',
  messageCount: 48211,
  memberCount: 48211,
  completedAt: '2026-11-03T11:02:00.000Z',
  members: [
    {
      messageId: '00a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b',
      memberAttributes: { studentId: '00482913', email: 'student00482913@example.edu' },
    },
  ],
  membersNextCursor: 'eyJhZnRlciI6IjAwYTFiMmMzLWQ0ZTUtNGY2MC04YTdiLTljMGQxZTJmM2E0YiJ9',
};
