import {
  idSchema,
  instantSchema,
  LIMITS,
  operatorFields,
  RECOVERABLE_STATES,
  uuidSchema,
} from '@app/contracts';
import { z } from 'zod';
import { badRequest } from './api.errors';
import { CALLBACK_STATES } from '../projection/projection.schema';
import { decodeCursor } from './read.service';

/** Parses a request value with a zod schema; a failure is a 400 naming the parameter. */
export function parseParam<S extends z.ZodType>(schema: S, value: unknown, name: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw badRequest(`${name}: ${r.error.issues[0]?.message ?? 'invalid'}`, 'invalid-parameter');
  return r.data;
}

export const communicationIdParam = (v: string) => parseParam(idSchema, v, 'communication id');
export const batchIdParam = (v: string) => parseParam(idSchema, v, 'batch id');
export const messageIdParam = (v: string) => parseParam(uuidSchema, v, 'message id');
export const callbackIdParam = (v: string) =>
  parseParam(z.string().min(1).max(LIMITS.maxCallbackIdLength), v, 'callback id');
export const stateParam = (v: string | undefined) =>
  parseParam(z.enum(CALLBACK_STATES).optional(), v, 'state');
export const statusParam = (v: string | undefined) =>
  parseParam(z.enum(['active', 'disabled']).optional(), v, 'status');
export const limitParam = (v: string | undefined) =>
  parseParam(z.coerce.number().int().min(1).max(200).default(50), v, 'limit');
/** Members of a batch per page: one request never holds more than 1,000 (decision 0628). */
export const membersLimitParam = (v: string | undefined) =>
  parseParam(z.coerce.number().int().min(1).max(1000).default(1000), v, 'limit');
export const includeMembersParam = (v: string | undefined) =>
  parseParam(z.enum(['true', 'false']).optional(), v, 'includemembers') === 'true';

/** `{by, reason}` of every write; the admin key's name is added from the request, never the body. */
const operatorBody = z.object({ by: operatorFields.by, reason: operatorFields.reason }).strict();
export const operatorBodyParam = (v: unknown) => parseParam(operatorBody, v, 'body');
export const recoverBodyParam = (v: unknown) =>
  parseParam(
    operatorBody
      .extend({
        since: instantSchema,
        states: z.array(z.enum(RECOVERABLE_STATES)).min(1).max(RECOVERABLE_STATES.length),
      })
      .strict(),
    v,
    'body',
  );

export function cursorParam(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const after = v.length <= 600 ? decodeCursor(v) : undefined;
  if (after === undefined) throw badRequest('cursor: not a cursor returned by this API', 'invalid-parameter');
  return after;
}

/** A cursor of the attempt list: the log position `<partition>:<offset>` to continue after. */
export function positionCursorParam(
  v: string | undefined,
): { partition: number; offset: string } | undefined {
  const after = cursorParam(v);
  if (after === undefined) return undefined;
  const m = /^(\d{1,9}):(\d{1,19})$/.exec(after);
  if (!m) throw badRequest('cursor: not a cursor returned by this API', 'invalid-parameter');
  return { partition: Number(m[1]), offset: m[2] };
}
