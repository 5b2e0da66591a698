/**
 * Keeps a metric label's values bounded when they come from callers (operation names, error
 * codes): a value is kept only if it matches `pattern` and is one of the first `max` distinct
 * values seen; anything else becomes `other`. Each kept value costs one series per metric, so
 * a flood of random names can't grow the registry without bound.
 */
export function createLabelValues(options: { pattern: RegExp; max: number; other?: string }) {
  const seen = new Set<string>();
  const other = options.other ?? 'other';
  return (value: string): string => {
    if (seen.has(value)) return value;
    if (seen.size >= options.max || !options.pattern.test(value)) return other;
    seen.add(value);
    return value;
  };
}

/** GraphQL names as labels: plain names of at most 64 characters. */
export const operationNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Error codes as labels: SCREAMING_SNAKE_CASE of at most 64 characters. */
export const errorCodePattern = /^[A-Z][A-Z0-9_]{0,63}$/;
