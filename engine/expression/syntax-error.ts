/**
 * Where a JSONata syntax error is: JSONata throws plain objects with a character offset; the
 * flow's diagnostics and `engine check` blame the character the author typed.
 */
export interface JsonataSyntaxError {
  code: string;
  position?: number;
  /** The offending token; numbers come as numbers. */
  token?: string | number;
  message: string;
}

export function isJsonataError(err: unknown): err is JsonataSyntaxError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' && typeof (err as { message?: unknown }).message === 'string';
}

/**
 * The 0-based index in `expr` of the character to blame. JSONata's `position` is the offset just
 * past the offending token, so the token starts `token.length` before it; at the end of the
 * expression, blame the last thing written rather than trailing whitespace.
 */
export function errorIndex(expr: string, err: JsonataSyntaxError): number {
  const position = Math.min(err.position ?? 0, expr.length);
  const token = err.token === undefined || err.token === '(end)' ? undefined : String(err.token);
  let index = token === undefined ? position - 1 : position - token.length;
  // A string or `quoted name` token is reported without its quotes: blame the opening one.
  const quote = expr[position - 1];
  if (token !== undefined && (quote === '"' || quote === "'" || quote === '`') && expr[position - token.length - 2] === quote) {
    index = position - token.length - 2;
  }
  index = Math.max(0, Math.min(index, expr.length - 1));
  while (index > 0 && /\s/.test(expr[index] ?? '')) index -= 1;
  return index;
}
