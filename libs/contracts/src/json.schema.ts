import { z } from 'zod';
import { envelopeFields } from './envelope/envelope';
import { LIMITS } from './limits';
import { CONTRACTS, EVENT_TYPES, EventType } from './registry';
import type { Shape } from './validate';

/**
 * JSON Schema (draft 2020-12) of every event, for producers written in other languages. Generated
 * from the zod schemas, so the two cannot drift; the generated files are committed under
 * `libs/contracts/schemas/` and a unit test fails when they are stale.
 */

/** Where the generated files live, relative to the repository root. */
export const JSON_SCHEMA_DIR = 'libs/contracts/schemas';

export interface JsonSchemaFile {
  /** `<Type>.v<N>.<shape>.json` */
  fileName: string;
  type: EventType;
  version: number;
  shape: Shape;
  schema: Record<string, unknown>;
}

type VersionMap = Record<number, { inbound: z.ZodType; stored: z.ZodType }>;
const versionsOf = (type: EventType) => CONTRACTS[type].versions as VersionMap;

/** Rules a JSON Schema cannot state; listed in each file's description so producers still see them. */
const NOT_EXPRESSIBLE = [
  `The whole serialized event must be at most ${LIMITS.maxEventBytes} bytes of valid UTF-8 JSON, nested at most ${LIMITS.maxJsonDepth} levels deep.`,
  'An attribute or environment variable named "__proto__" is dropped; a member attribute whose name is not a valid variable name, or whose value is not a scalar, is kept but cannot be used in a URL template.',
];
/** Rules only for what a producer sends (the log keeps every event it ever accepted readable). */
const NOT_EXPRESSIBLE_INBOUND = [
  'Every string must be well-formed Unicode without control characters (free text such as a problem description may hold tab, CR and LF); member attributes are exempt.',
  'Ingest refuses an occurredAt further than its configured window (7 days by default) from the time it receives the event.',
];
const NOT_EXPRESSIBLE_BY_TYPE: Partial<Record<EventType, string[]>> = {
  CommunicationConfigured: ['Callback ids (data.callbacks[].id) must be unique within the event.'],
};

const describedEnvelope = {
  id: envelopeFields.id.meta({
    description:
      'Producer-chosen UUID of the event; the same id twice is the same event and is appended once.',
  }),
  occurredAt: envelopeFields.occurredAt.meta({
    description: 'When the fact happened at the producer: ISO-8601 instant with a zone.',
  }),
  communicationId: envelopeFields.communicationId.meta({
    description: 'The communication the event belongs to; producers use it as the Kafka record key.',
  }),
};

/** The zod schema of one whole event (envelope + data) of a type, version and shape. */
export function eventSchemaOf(type: EventType, version: number, shape: Shape): z.ZodType {
  const schemas = versionsOf(type)[version];
  if (!schemas) throw new Error(`unknown version ${version} of "${type}"`);
  return z
    .object({
      ...envelopeFields,
      ...describedEnvelope,
      type: z.literal(type).meta({ description: 'The event type.' }),
      version: z.literal(version).meta({ description: 'Schema version of data for this type.' }),
      data: schemas[shape],
    })
    .strict();
}

/** The JSON Schema of one whole event. */
export function jsonSchemaOf(type: EventType, version: number, shape: Shape): Record<string, unknown> {
  const { $schema, ...body } = z.toJSONSchema(eventSchemaOf(type, version, shape), {
    target: 'draft-2020-12',
    // Producers write these events: describe what is accepted, not what the parser outputs.
    io: 'input',
    unrepresentable: 'throw',
    // zod writes `format: "base64"`, which is not a JSON Schema format (strict validators refuse
    // it); `contentEncoding` and `pattern`, which zod writes too, already say the same thing.
    override: ({ jsonSchema }) => {
      if (jsonSchema.format === 'base64' && jsonSchema.contentEncoding === 'base64') delete jsonSchema.format;
    },
  }) as Record<string, unknown>;
  const origin = CONTRACTS[type].origin;
  const what =
    shape === 'inbound'
      ? 'as a Dispatch producer sends it (secrets in clear; ingest seals them)'
      : origin === 'internal'
        ? 'as this service appends it to the event log (not accepted from producers)'
        : 'as it is stored on the event log (secrets sealed)';
  const rules = [
    ...NOT_EXPRESSIBLE,
    ...(shape === 'inbound' ? NOT_EXPRESSIBLE_INBOUND : []),
    ...(NOT_EXPRESSIBLE_BY_TYPE[type] ?? []),
  ];
  return {
    $schema,
    title: `${type} v${version} (${shape})`,
    description: `One ${type} event, version ${version}, ${what}. Rules JSON Schema cannot express: ${rules.join(' ')}`,
    ...body,
  };
}

/**
 * Every file to publish: `inbound` for the types Dispatch produces, `stored` for internal types and
 * wherever the stored shape differs from the inbound one (sealed secrets).
 */
export function jsonSchemaFiles(): JsonSchemaFile[] {
  const files: JsonSchemaFile[] = [];
  for (const type of EVENT_TYPES) {
    for (const [v, schemas] of Object.entries(versionsOf(type))) {
      const version = Number(v);
      const shapes: Shape[] = [];
      if (CONTRACTS[type].origin === 'dispatch') shapes.push('inbound');
      if (CONTRACTS[type].origin === 'internal' || schemas.stored !== schemas.inbound) shapes.push('stored');
      for (const shape of shapes) {
        files.push({
          fileName: `${type}.v${version}.${shape}.json`,
          type,
          version,
          shape,
          schema: jsonSchemaOf(type, version, shape),
        });
      }
    }
  }
  return files;
}

/** The exact text committed for a schema (stable key order, two-space indent, final newline). */
export const renderJsonSchema = (schema: Record<string, unknown>): string =>
  `${JSON.stringify(schema, null, 2)}\n`;
