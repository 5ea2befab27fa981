/**
 * How the admin API and the console show a stored record. By default its raw payload is redacted and every
 * string in it is cut to MAX_VIEW_CHARS: intake accepts a field of up to a megabyte, and a list
 * of a thousand such records must not become a gigabyte answer. Asked for PII (one record,
 * `?pii=true`), the payload is returned exactly as stored: that is how an operator reads it.
 */
import { redact } from '../log/redact.ts';
import type { StoredRecord } from '../store/types.ts';

export const MAX_VIEW_CHARS = 1000;

export function recordView(r: StoredRecord, pii: boolean): Record<string, unknown> {
  const { raw, ...rest } = r;
  if (pii) return { ...rest, raw };
  // Redacted before it is cut: a cut could leave part of an address that no longer looks like one.
  return { ...rest, raw: raw === null ? null : clipStrings(redact(raw)) };
}

/** A copy of `value` whose strings over MAX_VIEW_CHARS keep their start and say their length. */
export function clipStrings(value: unknown): unknown {
  if (typeof value === 'string') return value.length <= MAX_VIEW_CHARS ? value : clip(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clipStrings);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = clipStrings(v);
  return out;
}

function clip(s: string): string {
  let end = MAX_VIEW_CHARS;
  // Never end on the first half of a surrogate pair.
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}… [${s.length} characters in all]`;
}
