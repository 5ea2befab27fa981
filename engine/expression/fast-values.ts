/**
 * JSONata's value rules (jsonata 2.x: `fn.lookup`, `fn.boolean`, `isDeepEqual`, `utils.isFunction`)
 * restated for the fast path. Where a rule needs more than a few lines to match exactly (sequences,
 * deep equality of two objects, infinite numbers) the fast path does not guess: it throws
 * FALLBACK_SIGNAL and the compiled JSONata expression answers for that input.
 */

/** Thrown inside a fast closure when this input needs the JSONata interpreter. */
export const FALLBACK_SIGNAL: unique symbol = Symbol('fast expression: use JSONata for this input');

export function fallback(): never {
  throw FALLBACK_SIGNAL;
}

/** JSONata's `utils.isFunction`: native functions and objects flagged as JSONata functions. */
export function isJsonataFunction(v: unknown): boolean {
  if (typeof v === 'function') return true;
  if (typeof v !== 'object' || v === null) return false;
  const o = v as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return o._jsonata_function === true || o._jsonata_lambda === true;
}

/**
 * One name step on one (non-sequence) value. An array would make JSONata map the step over its
 * items, and an object flagged as a JSONata function is skipped by its lookup and wrapped when
 * passed to a function: both go to JSONata.
 */
export function lookup(input: unknown, key: string): unknown {
  if (typeof input !== 'object' || input === null) return undefined;
  if (Array.isArray(input) || isJsonataFunction(input)) fallback();
  return Object.prototype.hasOwnProperty.call(input, key) ? (input as Record<string, unknown>)[key] : undefined;
}

/**
 * A value a path or function hands on. A data array is returned as it is (JSONata's last step
 * keeps a single array intact); functions, flagged objects and arrays marked as JSONata sequences
 * are treated specially by JSONata, so they go to it.
 */
export function checkedResult(v: unknown): unknown {
  if (typeof v === 'function') fallback();
  if (typeof v === 'object' && v !== null) {
    if (Array.isArray(v) ? (v as { sequence?: unknown }).sequence === true : isJsonataFunction(v)) fallback();
  }
  return v;
}

/** JSONata's `fn.boolean` (effective boolean value); undefined stays undefined. */
export function jsonataBoolean(arg: unknown): boolean | undefined {
  if (arg === undefined) return undefined;
  if (Array.isArray(arg)) {
    if (arg.length === 1) return jsonataBoolean(arg[0]);
    // Every item is tested, as JSONata's filter does (a later item may still throw D1001).
    let trues = 0;
    for (const item of arg) if (jsonataBoolean(item)) trues++;
    return trues > 0;
  }
  if (typeof arg === 'string') return arg.length > 0;
  if (typeof arg === 'number') {
    // JSONata's isNumeric throws D1001 for ±Infinity: let it.
    if (Number.isNaN(arg)) return false;
    if (!Number.isFinite(arg)) fallback();
    return arg !== 0;
  }
  if (typeof arg === 'object' && arg !== null && !isJsonataFunction(arg)) return Object.keys(arg).length > 0;
  return arg === true;
}

/** `and`/`or` operands: undefined counts as false. */
export function boolize(v: unknown): boolean {
  return jsonataBoolean(v) ?? false;
}

/** `=`: false when either side is undefined; two objects or arrays need JSONata's deep equality. */
export function jsonataEquals(lhs: unknown, rhs: unknown): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  if (lhs === rhs) return true;
  if (typeof lhs === 'object' && lhs !== null && typeof rhs === 'object' && rhs !== null) fallback();
  return false;
}

/** `in`: strict equality against the right side, a single value counting as a one-item array. */
export function jsonataIncludes(lhs: unknown, rhs: unknown): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  if (!Array.isArray(rhs)) return rhs === lhs;
  for (const item of rhs) if (item === lhs) return true;
  return false;
}
