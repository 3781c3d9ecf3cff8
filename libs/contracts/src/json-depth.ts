/**
 * True when `value` nests objects or arrays deeper than `max` levels (the value itself is level 1
 * when it is an object or array). Iterative, so a hostile `[[[[...]]]]` cannot overflow the stack
 * here; once this returns false, recursive code (JSON.stringify, schema checks, database drivers)
 * handles the value safely.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}
