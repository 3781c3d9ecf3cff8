import fc from 'fast-check';
import { encodeEvent, storableText, type LogEvent } from '@app/contracts';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '../../apps/projector/src/database/data-source.factory';
import { ProjectionApplier } from '../../apps/projector/src/projection/projection.applier';
import { dropSchemas, scenario, testConfig, withDb } from './projector.fixtures';

/**
 * Property, against the real PostgreSQL: whatever a receiver answered (any snippet, any bytes) and
 * whatever a producer put in member attributes (any keys, any values), the event is projected — the
 * applier never fails on text, and what is stored is the storable form of what was sent.
 */
describe('projection, property: any snippet and any attribute text is storable', () => {
  const config = testConfig();
  let ds: DataSource;
  let applier: ProjectionApplier;
  let offset = 0;

  beforeAll(async () => {
    await migrate({ databaseUrl: config.databaseUrl, schema: config.schema });
    ds = await createDataSource({
      databaseUrl: config.databaseUrl,
      schema: config.schema,
      poolSize: 2,
    }).initialize();
    applier = new ProjectionApplier(ds, config.schema, config.logTopic, { mode: 'live' });
  });
  afterAll(async () => {
    await ds?.destroy();
    await dropSchemas(config.schema);
  });

  // No broker involved: the records are handed to the applier directly, as from this log.
  const log = { topic: config.logTopic, clusterId: 'storable-test-cluster', topicId: 'storable-test-topic' };
  const apply = async (event: LogEvent) => {
    const at = String(offset++);
    return applier.apply(0, [{ offset: at, timestamp: '0', value: encodeEvent(event) }], at, log);
  };

  /** Text as hostile as it gets: NUL, controls, lone surrogates, astral characters, raw bytes decoded. */
  const hostile = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8')),
    fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff\ud800', '\\u0000', '"\\ud800"'),
  );

  it('stores every response snippet and error message, as its storable form', async () => {
    const s = scenario();
    const trigger = s.sent();
    await apply(s.configured());
    await apply(trigger);
    await fc.assert(
      fc.asyncProperty(
        hostile,
        hostile,
        fc.integer({ min: 1, max: 100 }),
        async (snippet, message, attempt) => {
          const event = s.attempted(trigger, attempt, 'retrying', 500) as Extract<
            LogEvent,
            { type: 'CallbackAttempted' }
          >;
          event.data.responseSnippet = snippet.slice(0, 4096);
          event.data.error = { kind: 'status', message: message.slice(0, 2000) };
          const result = await apply(event);
          expect(result).toMatchObject({ applied: 1, parked: 0 });
          const [row] = await withDb(
            async (db) =>
              (
                await db.query(
                  `SELECT response_snippet, error_message FROM "${config.schema}".attempts WHERE event_id = $1`,
                  [event.id],
                )
              ).rows,
          );
          expect(row).toEqual({
            response_snippet: storableText(event.data.responseSnippet!),
            error_message: storableText(event.data.error.message),
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('stores member attributes of any names and values in jsonb', async () => {
    const s = scenario();
    await apply(s.configured());
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(hostile, fc.oneof(hostile, fc.jsonValue({ maxDepth: 3 })), { maxKeys: 5 }),
        async (attributes) => {
          const event = s.sent(undefined, attributes as Record<string, string>);
          expect(await apply(event)).toMatchObject({ applied: 1, parked: 0 });
        },
      ),
      { numRuns: 100 },
    );
  });
});
