import { schemaNameSchema } from '../config/projector.config';
import { rebuildSchemaNames } from './schema.name';

describe('rebuildSchemaNames', () => {
  const now = new Date('2026-11-30T09:51:04.123Z');

  it('builds next to the live schema and archives the old one under a dated name', () => {
    expect(rebuildSchemaNames('callbacks', now)).toEqual({
      next: 'callbacks_rebuild_20261130095104',
      archive: 'callbacks_old_20261130095104',
    });
  });

  it('keeps both names valid identifiers for the longest schema name', () => {
    const sut = rebuildSchemaNames('s'.repeat(63), now);
    expect(schemaNameSchema.safeParse(sut.next).success).toBe(true);
    expect(schemaNameSchema.safeParse(sut.archive).success).toBe(true);
  });
});
