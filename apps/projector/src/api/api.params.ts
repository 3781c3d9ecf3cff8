import { communicationEnabledV1, idSchema, uuidSchema } from '@app/contracts';
import { z } from 'zod';
import { badRequest } from './api.errors';
import { CALLBACK_STATES, decodeCursor } from './read.service';

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
export const stateParam = (v: string | undefined) =>
  parseParam(z.enum(CALLBACK_STATES).optional(), v, 'state');
export const limitParam = (v: string | undefined) =>
  parseParam(z.coerce.number().int().min(1).max(200).default(50), v, 'limit');
export const includeMembersParam = (v: string | undefined) =>
  parseParam(z.enum(['true', 'false']).optional(), v, 'includemembers') === 'true';
export const enableBody = (v: unknown) => parseParam(communicationEnabledV1, v, 'body');

export function cursorParam(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const after = v.length <= 600 ? decodeCursor(v) : undefined;
  if (after === undefined) throw badRequest('cursor: not a cursor returned by this API', 'invalid-parameter');
  return after;
}
