/** One place where a case's expectation and what happened disagree. */
export interface Difference {
  /** Where, e.g. `subscribers[ana@example.org].groups` or `requests[0].body.status`. */
  path: string;
  expected: unknown;
  actual: unknown;
}

/** Marks a value that is not there (a subscriber that does not exist, a request never sent). */
export const ABSENT = Symbol('absent');

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Differences between `expected` and `actual` where `expected` is a subset: an object's
 * unlisted keys are ignored, arrays must have the same length, scalars must be equal.
 * Numbers and strings compare as text, as MailerLite stores them ("94607" = 94607).
 */
export function subsetDiff(path: string, expected: unknown, actual: unknown): Difference[] {
  if (isObject(expected)) {
    if (!isObject(actual)) return [{ path, expected, actual }];
    return Object.entries(expected).flatMap(([k, v]) => subsetDiff(`${path}.${k}`, v, k in actual ? actual[k] : ABSENT));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [{ path, expected, actual }];
    const inner = expected.flatMap((v, i) => subsetDiff(`${path}[${i}]`, v, actual[i]));
    // A list reads better whole than element by element.
    return inner.length > 0 ? [{ path, expected, actual }] : [];
  }
  if (expected === actual) return [];
  if ((typeof expected === 'number' || typeof expected === 'string') && (typeof actual === 'number' || typeof actual === 'string') && String(expected) === String(actual)) return [];
  if (expected === null && actual === ABSENT) return [];
  return [{ path, expected, actual }];
}
