import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// ajv (with ajv-formats) already ships with the Nest CLI dev tooling; used here only to prove the
// generated files work with an ordinary JSON Schema validator, as a producer in another language would.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { exampleFiles, exampleOf, storedConfigurationExample } from './example-events.fixture';
import { jsonSchemaFiles, renderJsonSchema } from './json.schema';
import { EVENT_TYPES, INBOUND_EVENT_TYPES } from './registry';

const SCHEMA_DIR = join(__dirname, '..', 'schemas');
const REGENERATE = 'UPDATE_SCHEMAS=1 npx jest libs/contracts/src/json.schema';

describe('JSON Schema export', () => {
  const files = jsonSchemaFiles();

  if (process.env.UPDATE_SCHEMAS === '1') {
    beforeAll(() => {
      mkdirSync(SCHEMA_DIR, { recursive: true });
      const wanted = new Set(files.map((f) => f.fileName));
      for (const old of readdirSync(SCHEMA_DIR)) if (!wanted.has(old)) unlinkSync(join(SCHEMA_DIR, old));
      for (const f of files) writeFileSync(join(SCHEMA_DIR, f.fileName), renderJsonSchema(f.schema));
    });
  }

  it('publishes an inbound schema per producer type, and stored ones for internal types and sealed secrets', () => {
    const names = files.map((f) => f.fileName).sort();
    const expected = [
      ...INBOUND_EVENT_TYPES.map((t) => `${t}.v1.inbound.json`),
      'CommunicationConfigured.v1.stored.json',
      ...EVENT_TYPES.filter((t) => !(INBOUND_EVENT_TYPES as string[]).includes(t)).map(
        (t) => `${t}.v1.stored.json`,
      ),
    ].sort();
    expect(names).toEqual(expected);
  });

  it.each(files.map((f) => [f.fileName, f] as const))('%s is committed and up to date', (fileName, f) => {
    const path = join(SCHEMA_DIR, fileName);
    const committed = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (committed !== renderJsonSchema(f.schema)) {
      throw new Error(
        `${fileName} is missing or stale: regenerate the files with \`${REGENERATE}\` and commit them`,
      );
    }
    expect(JSON.parse(committed)).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema' });
  });

  it('has no committed file that the code no longer generates', () => {
    const stale = readdirSync(SCHEMA_DIR).filter((n) => !files.some((f) => f.fileName === n));
    if (stale.length) throw new Error(`stale schema files ${stale.join(', ')}: run \`${REGENERATE}\``);
    expect(stale).toEqual([]);
  });

  describe('validated by a plain JSON Schema validator', () => {
    const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
    const validatorOf = (fileName: string) =>
      ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, fileName), 'utf8')) as object);

    it.each(exampleFiles().map((e) => [e.file, e] as const))('accepts the example %s', (_, e) => {
      const validate = validatorOf(`${e.value.type}.v1.inbound.json`);
      expect(validate(e.value) ? [] : validate.errors).toEqual([]);
    });

    it('refuses what the contract refuses: a voice status on an SMS change', () => {
      const e = exampleOf('MessageDeliveryStatusChanged');
      const validate = validatorOf('MessageDeliveryStatusChanged.v1.inbound.json');
      expect(validate({ ...e, data: { ...e.data, status: 'ringing' } })).toBe(false);
    });

    it('refuses a stored configuration with a clear secret, and accepts a sealed one', () => {
      const validate = validatorOf('CommunicationConfigured.v1.stored.json');
      expect(validate(exampleOf('CommunicationConfigured'))).toBe(false);
      expect(validate(storedConfigurationExample()) ? [] : validate.errors).toEqual([]);
    });

    it('enforces the environment variable count limit', () => {
      const e = exampleOf('CommunicationConfigured');
      const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`a${i}`, i]));
      expect(
        validatorOf('CommunicationConfigured.v1.inbound.json')({
          ...e,
          data: { ...e.data, environment: many },
        }),
      ).toBe(false);
    });

    it('accepts member attributes of any name and value, as the contract does', () => {
      const e = exampleOf('MessageSent');
      const attributes = { 'Student ID': 'S-1', '1stName': 'Ada', courses: ['MATH101', { id: 7 }] };
      const validate = validatorOf('MessageSent.v1.inbound.json');
      const event = { ...e, data: { ...e.data, memberAttributes: attributes } };
      expect(validate(event) ? [] : validate.errors).toEqual([]);
    });
  });
});
