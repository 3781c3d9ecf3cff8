import type { DataSource } from 'typeorm';
import { quoteSchema } from '../database/schema.name';

/**
 * "Disable pending": the projection has disabled the communication after a failed callback, but the
 * CommunicationDisabled that says so is still in the outbox, not yet on the log. An enable appended
 * now would come before the disable on the log and be undone by it, so the API answers 409
 * `disable-pending` and the console shows the status "disable pending". Defined here once.
 */
export const disablePendingSql = (schema: string, communicationIdColumn: string) =>
  `EXISTS (SELECT 1 FROM ${quoteSchema(schema)}.outbox_events o
            WHERE o.communication_id = ${communicationIdColumn}
              AND o.event_type = 'CommunicationDisabled' AND o.published_offset IS NULL)`;

export async function isDisablePending(
  ds: DataSource,
  schema: string,
  communicationId: string,
): Promise<boolean> {
  const [row]: { pending: boolean }[] = await ds.query(
    `SELECT ${disablePendingSql(schema, '$1')} AS pending`,
    [communicationId],
  );
  return row?.pending === true;
}
