import { isVariableName, type CommunicationConfigured } from '@app/contracts';
import type { TriggeringEvent } from '../domain/triggering.event';

type Scalar = string | number | boolean | null;

/**
 * How a value becomes text in a URL: numbers and booleans as JavaScript prints them, null as the
 * empty string (the attribute exists, the population just has no value for this member).
 */
export function stringifyValue(value: Scalar): string {
  return value === null ? '' : String(value);
}

const isScalar = (v: unknown): v is Scalar =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v));

/**
 * All variables available to a callback for this event under this configuration, SPEC §2 rule 2.
 *
 * Sources are layered lowest precedence first, so a later layer overwrites an earlier one:
 *  1. campaign environment variables of the communication's mode (all events);
 *  2. member attributes (message events only);
 *  3. system variables: `communicationId`, `batchId` (all events); for message events `id` = the
 *     message UUID, unless the member attributes contain `id` — then `${id}` stays the member's
 *     own id and `memberId` = the message UUID.
 * System variables win because they identify what the callback is about; a member attribute that
 * happened to be called `batchId` must not make a receiver act on the wrong batch.
 *
 * Member attributes are Dispatch's data: one whose name cannot be a placeholder (`Student ID`,
 * `1stName`) or whose value is not a scalar (an array, an object) is simply not a variable.
 */
export function variablesFor(event: TriggeringEvent, config: CommunicationConfigured): Map<string, string> {
  const vars = new Map<string, string>();
  const put = (source: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(source)) {
      if (isVariableName(name) && isScalar(value)) vars.set(name, stringifyValue(value));
    }
  };

  put(config.environment);
  if (event.type === 'CommunicationCompleted') {
    vars.set('batchId', event.data.batchId);
  } else {
    const { memberAttributes, messageId, batchId } = event.data;
    put(memberAttributes);
    vars.set('batchId', batchId);
    if (Object.prototype.hasOwnProperty.call(memberAttributes, 'id')) {
      // The member's `id` attribute keeps `${id}`; the message UUID moves to `${memberId}`.
      vars.set('memberId', messageId);
    } else {
      vars.set('id', messageId);
    }
  }
  vars.set('communicationId', event.communicationId);
  return vars;
}
