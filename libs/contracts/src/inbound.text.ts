import { textProblem, type TextKind } from './text';

/** A producer's string that is refused, with its dotted path (`data.callbacks.0.url`). */
export interface TextIssue {
  path: string;
  message: string;
}

/** Free text: a human wrote it, so tabs and line breaks are fine. */
const FREE_TEXT = new Set(['data.problem.description']);
/**
 * Dispatch's own data about a member, passed through as it is: names and values are Dispatch's
 * business. Consumers neutralise what they cannot store, and only entries that can be a `${name}`
 * are usable as variables.
 */
const PASSED_THROUGH = new Set(['data.memberAttributes']);

const MAX_ISSUES = 50;

/**
 * Every string of an inbound event (values and object keys) checked against the text rules of
 * `text.ts`: a rule for every field, present and future, unless it is listed above. Iterative, on a
 * value already bounded in size and depth.
 */
export function inboundTextIssues(event: unknown): TextIssue[] {
  const issues: TextIssue[] = [];
  const stack: { value: unknown; path: string }[] = [{ value: event, path: '' }];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const { value, path } = stack.pop()!;
    if (PASSED_THROUGH.has(path)) continue;
    if (typeof value === 'string') {
      const kind: TextKind = FREE_TEXT.has(path) ? 'free-text' : 'plain';
      const problem = textProblem(value, kind);
      if (problem) issues.push({ path: path || '(root)', message: problem });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childPath = path ? `${path}.${key}` : key;
      if (!Array.isArray(value)) {
        const problem = textProblem(key, 'plain');
        if (problem) issues.push({ path: path || '(root)', message: `a field name: ${problem}` });
      }
      stack.push({ value: child, path: childPath });
    }
  }
  return issues.reverse();
}
