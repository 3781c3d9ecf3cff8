/**
 * True when `value` nests objects or arrays deeper than `max` levels (the value itself is level 1
 * when it is an object or array). The walk never goes deeper than `max + 1` levels, so a hostile
 * `[[[[...]]]]` cannot overflow the stack here; once this returns false, recursive code
 * (JSON.stringify, schema checks, database drivers) handles the value safely.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  return deeper(value, 1, max);
}

function deeper(value: unknown, depth: number, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth > max) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (deeper(child, depth + 1, max)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (Object.prototype.hasOwnProperty.call(record, key) && deeper(record[key], depth + 1, max)) return true;
  }
  return false;
}
