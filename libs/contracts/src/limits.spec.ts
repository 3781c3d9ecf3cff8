import { callbackAttemptedExample, exampleOf } from './example-events.fixture';
import { LIMITS } from './limits';
import { decodeEvent, Shape, Validated, validateEvent } from './validate';

type Limit = keyof typeof LIMITS;

interface LimitCase {
  /** Builds an event whose limited quantity is exactly `n` and validates it. */
  check: (n: number) => Validated<unknown>;
  /** Where the rejection points when `n` is one above the limit. */
  path: string;
}

const str = (n: number, c = 'a') => c.repeat(n);
const validate = (shape: Shape) => (event: unknown) =>
  shape === 'inbound' ? validateEvent(event, 'inbound') : validateEvent(event, 'stored');

const entries = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, i]));

/** One case per limit: the `Record<Limit, ...>` type makes a new limit without a case a compile error. */
const CASES: Record<Limit, LimitCase> = {
  maxEventBytes: {
    // Pads a valid event with trailing whitespace (still valid JSON) to exactly n bytes.
    check: (n) => {
      const json = JSON.stringify(exampleOf('MessageSent'));
      return decodeEvent(Buffer.from(json + ' '.repeat(n - Buffer.byteLength(json))), 'inbound');
    },
    path: '',
  },
  maxIdLength: {
    check: (n) => {
      const e = exampleOf('CommunicationCompleted');
      e.data.batchId = str(n);
      return validate('inbound')(e);
    },
    path: 'data.batchId',
  },
  maxJsonDepth: {
    // The event is level 1, data 2, memberAttributes 3: an attribute holding arrays nested
    // n - 3 deep makes the whole event exactly n levels deep.
    check: (n) => {
      const e = exampleOf('MessageSent');
      let deep: unknown = [];
      for (let level = 1; level < n - 3; level++) deep = [deep];
      e.data.memberAttributes.deep = deep;
      return validate('inbound')(e);
    },
    path: '',
  },
  maxEnvironmentVariables: {
    check: (n) => {
      const e = exampleOf('CommunicationConfigured');
      e.data.environment = { ...entries(n - 3), ...e.data.environment };
      return validate('inbound')(e);
    },
    path: 'data.environment',
  },
  maxNameLength: {
    check: (n) => {
      const e = exampleOf('CommunicationConfigured');
      e.data.environment[str(n, 'n')] = 'x';
      return validate('inbound')(e);
    },
    path: `data.environment.${str(LIMITS.maxNameLength + 1, 'n')}`,
  },
  maxValueLength: {
    check: (n) => {
      const e = exampleOf('CommunicationConfigured');
      e.data.environment.term = str(n);
      return validate('inbound')(e);
    },
    path: 'data.environment.term',
  },
  maxCallbacks: {
    check: (n) => {
      const e = exampleOf('CommunicationConfigured');
      const [first] = e.data.callbacks;
      e.data.callbacks = Array.from({ length: n }, (_, i) => ({ ...first, id: `cb-${i}` }));
      return validate('inbound')(e);
    },
    path: 'data.callbacks',
  },
  maxUrlTemplateLength: {
    check: (n) => {
      const e = exampleOf('CommunicationConfigured');
      const prefix = 'https://apps.example.edu/';
      e.data.callbacks[2].url = prefix + str(n - prefix.length);
      return validate('inbound')(e);
    },
    path: 'data.callbacks.2.url',
  },
  maxRenderedUrlLength: {
    check: (n) => {
      const e = callbackAttemptedExample();
      const prefix = 'https://apps.example.edu/';
      e.data.url = prefix + str(n - prefix.length);
      return validate('stored')(e);
    },
    path: 'data.url',
  },
  maxNotificationAddresses: {
    check: (n) => {
      const e = exampleOf('CommunicationConfigured');
      e.data.notificationList = Array.from({ length: n }, (_, i) => `oncall${i}@example.edu`);
      return validate('inbound')(e);
    },
    path: 'data.notificationList',
  },
  maxCallbackIdLength: {
    check: (n) => {
      const e = callbackAttemptedExample();
      e.data.callbackId = str(n);
      return validate('stored')(e);
    },
    path: 'data.callbackId',
  },
  maxOperatorLength: {
    check: (n) => {
      const e = exampleOf('MessageSent') as unknown as Record<string, unknown>;
      return validateEvent(
        { ...e, type: 'CommunicationEnabled', data: { by: str(n), reason: 'fixed' } },
        'stored',
      );
    },
    path: 'data.by',
  },
  maxTextLength: {
    check: (n) => {
      const e = exampleOf('MessageDeliveryProblem');
      e.data.problem.description = str(n);
      return validate('inbound')(e);
    },
    path: 'data.problem.description',
  },
  maxResponseSnippetBytes: {
    check: (n) => {
      const e = callbackAttemptedExample();
      e.data.responseSnippet = str(n);
      return validate('stored')(e);
    },
    path: 'data.responseSnippet',
  },
  maxRecordedRetryAfterMs: {
    check: (n) => {
      const e = callbackAttemptedExample();
      e.data.retryAfterMs = n;
      return validate('stored')(e);
    },
    path: 'data.retryAfterMs',
  },
  maxSecretLength: {
    check: (n) => {
      const e = exampleOf('CommunicationConfigured');
      e.data.callbacks[0].credentials!.password = str(n, 'p');
      return validate('inbound')(e);
    },
    path: 'data.callbacks.0.credentials.password',
  },
};

describe('LIMITS', () => {
  it.each(Object.keys(CASES) as Limit[])('%s: accepts exactly the limit, rejects one more', (limit) => {
    const { check, path } = CASES[limit];
    expect(check(LIMITS[limit]).ok).toBe(true);
    const over = check(LIMITS[limit] + 1);
    if (over.ok) throw new Error(`${limit}: ${LIMITS[limit] + 1} was accepted`);
    if (limit === 'maxEventBytes') {
      expect(over.rejection.code).toBe('oversize');
    } else if (limit === 'maxJsonDepth') {
      expect(over.rejection.code).toBe('too-deep');
    } else {
      expect(over.rejection.code).toBe('invalid-data');
      expect(over.rejection.issues.map((i) => i.path)).toContain(path);
    }
  });

  it('limits the communication id in the envelope too', () => {
    const e = exampleOf('MessageSent');
    expect(validateEvent({ ...e, communicationId: str(LIMITS.maxIdLength) }, 'inbound').ok).toBe(true);
    const over = validateEvent({ ...e, communicationId: str(LIMITS.maxIdLength + 1) }, 'inbound');
    expect(over.ok || over.rejection).toMatchObject({
      code: 'invalid-envelope',
      issues: [{ path: 'communicationId' }],
    });
  });
});
