/**
 * A console form's fields. The server reads every body as bytes (the webhook sources need that),
 * so the console parses its own `application/x-www-form-urlencoded` forms. A field sent twice
 * keeps its first value.
 */
export function formFields(body: unknown): Record<string, string> {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) if (!(k in out)) out[k] = v;
  return out;
}
