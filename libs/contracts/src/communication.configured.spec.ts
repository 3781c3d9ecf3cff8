import { exampleOf, fakeSealed, storedConfigurationExample } from './example-events.fixture';
import { secretAad } from './events/secrets';
import { Validated, validateEvent } from './validate';

const pathsOf = (result: Validated<unknown>) =>
  result.ok ? [] : [...new Set(result.rejection.issues.map((i) => i.path))].sort();

describe('CommunicationConfigured v1', () => {
  describe('secrets', () => {
    it('inbound: accepts credentials and signing secrets in clear', () => {
      const sut = validateEvent(exampleOf('CommunicationConfigured'), 'inbound');
      expect(sut.ok).toBe(true);
    });

    it('inbound: refuses a sealed value where a producer must send clear text', () => {
      const e = exampleOf('CommunicationConfigured') as unknown as {
        data: { callbacks: { credentials?: { password: unknown } }[] };
      };
      e.data.callbacks[0].credentials!.password = fakeSealed();
      expect(pathsOf(validateEvent(e, 'inbound'))).toEqual(['data.callbacks.0.credentials.password']);
    });

    it('stored: accepts sealed secrets', () => {
      const stored = storedConfigurationExample();
      expect(validateEvent(stored, 'stored')).toEqual({ ok: true, event: stored });
    });

    it('stored: rejects every secret in clear, so a clear secret can never be read back from the log', () => {
      const sut = validateEvent(exampleOf('CommunicationConfigured'), 'stored');
      expect(sut.ok || sut.rejection.code).toBe('invalid-data');
      expect(pathsOf(sut)).toEqual([
        'data.callbacks.0.credentials.password',
        'data.callbacks.1.signingSecret',
        'data.callbacks.3.signingSecret',
      ]);
    });

    it('stored: rejects a sealed secret with an unknown algorithm or extra fields', () => {
      const stored = storedConfigurationExample() as unknown as {
        data: { callbacks: { credentials?: { password: Record<string, unknown> } }[] };
      };
      stored.data.callbacks[0].credentials!.password = { ...fakeSealed(), alg: 'A128CBC', note: 'x' };
      expect(pathsOf(validateEvent(stored, 'stored'))).toEqual([
        'data.callbacks.0.credentials.password',
        'data.callbacks.0.credentials.password.alg',
      ]);
    });

    it('binds a sealed secret to its communication, callback and field', () => {
      expect(secretAad('comm-2026-fall-reminders', 'sms-status', 'signingSecret')).toBe(
        'comm-2026-fall-reminders/sms-status/signingSecret',
      );
    });

    it.each([
      ['without the whsec_ prefix', 'n0iCR5/hUcDunTKamYk4Su5qEVAOsVACnzPuvgol658='],
      ['too short', 'whsec_c2hvcnQ='],
      ['not base64', 'whsec_this is not base64 at all!!'],
    ])('inbound: refuses a signing secret %s', (_, secret) => {
      const e = exampleOf('CommunicationConfigured');
      e.data.callbacks[1].signingSecret = secret;
      expect(pathsOf(validateEvent(e, 'inbound'))).toEqual(['data.callbacks.1.signingSecret']);
    });
  });

  it('refuses two callbacks with the same id, pointing at the second', () => {
    const e = exampleOf('CommunicationConfigured');
    e.data.callbacks[3].id = e.data.callbacks[0].id;
    const sut = validateEvent(e, 'inbound');
    expect(sut.ok || sut.rejection).toMatchObject({
      code: 'invalid-data',
      issues: [{ path: 'data.callbacks.3.id', message: 'duplicate callback id' }],
    });
  });

  it('accepts a configuration without callbacks (all callbacks removed)', () => {
    const e = exampleOf('CommunicationConfigured');
    e.data.callbacks = [];
    expect(validateEvent(e, 'inbound').ok).toBe(true);
  });

  it.each(['dispatch:callbacks', 'line\nbreak', ''])('refuses the Basic username %j', (username) => {
    const e = exampleOf('CommunicationConfigured');
    e.data.callbacks[0].credentials!.username = username;
    expect(pathsOf(validateEvent(e, 'inbound'))).toEqual(['data.callbacks.0.credentials.username']);
  });

  it.each(['javascript:alert(1)', 'ftp://files.example.edu/x', '//apps.example.edu/x', '${base}/x'])(
    'refuses the URL template %j (absolute http or https only)',
    (url) => {
      const e = exampleOf('CommunicationConfigured');
      e.data.callbacks[0].url = url;
      expect(pathsOf(validateEvent(e, 'inbound'))).toEqual(['data.callbacks.0.url']);
    },
  );

  it.each(['1st', 'has space', 'a/b', '${x}'])('refuses the variable name %j', (name) => {
    const e = exampleOf('CommunicationConfigured');
    e.data.environment[name] = 'x';
    expect(pathsOf(validateEvent(e, 'inbound'))).toEqual([`data.environment.${name}`]);
  });

  it('leaves out a "__proto__" variable instead of letting it replace the prototype', () => {
    const json = JSON.stringify(exampleOf('CommunicationConfigured'));
    const hostile = JSON.parse(json.replace('"environment":{', '"environment":{"__proto__":{"polluted":1},'));
    expect(Object.keys(hostile.data.environment)).toContain('__proto__');
    const sut = validateEvent(hostile, 'inbound');
    if (!sut.ok || sut.event.type !== 'CommunicationConfigured')
      throw new Error('expected the event to be accepted');
    const environment = sut.event.data.environment as Record<string, unknown>;
    expect(Object.keys(environment)).toEqual(['apiVersion', 'term', 'tenant']);
    expect(Object.getPrototypeOf(environment)).toBe(Object.prototype);
    expect(environment.polluted).toBeUndefined();
  });

  it('refuses a nested object as a variable value (it could not be put in a URL)', () => {
    const e = exampleOf('CommunicationConfigured') as unknown as {
      data: { environment: Record<string, unknown> };
    };
    e.data.environment.term = { season: 'fall' };
    expect(pathsOf(validateEvent(e, 'inbound'))).toEqual(['data.environment.term']);
  });

  it('refuses a callback for an event type that has no callbacks', () => {
    const e = exampleOf('CommunicationConfigured') as unknown as { data: { callbacks: { event: string }[] } };
    e.data.callbacks[0].event = 'CallbackFailed';
    expect(pathsOf(validateEvent(e, 'inbound'))).toEqual(['data.callbacks.0.event']);
  });
});
