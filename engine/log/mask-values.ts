/**
 * Personal values shown by their shape, for output a person reads to check a mapping (the dry
 * run): "Jane" → "Xxxx", "(510) 555-0100" → "(999) 999-9999", "jane.doe@example.org" →
 * "xxxx.xxx@example.org". The shape tells whether the mapping produced the right kind of value
 * (a title-cased name, a formatted phone, a full street line) without showing whose it is.
 * Values under PII keys and emails anywhere are masked; other values are as they are.
 */
import { maskEmails } from './emails-in-text.ts';
import { isPiiKey } from './redact.ts';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Letters by case, digits as 9; punctuation, spaces and an email's domain as they are. */
export function maskShape(value: string): string {
  const at = EMAIL.test(value) ? value.lastIndexOf('@') : value.length;
  const shape = value.slice(0, at).replace(/\p{Lu}/gu, 'X').replace(/\p{Ll}|\p{Lo}|\p{Lt}|\p{Lm}/gu, 'x').replace(/\p{N}/gu, '9');
  return shape + value.slice(at);
}

function maskLeaf(value: unknown): unknown {
  if (typeof value === 'string') return maskShape(value);
  if (typeof value === 'number') return maskShape(String(value));
  return value;
}

/** A deep copy of `value` with personal values replaced by their shape; the input is not changed. */
export function maskValues(value: unknown, depth = 0): unknown {
  // An email inside other text has no shape worth showing: it is replaced whole.
  if (typeof value === 'string') return EMAIL.test(value) ? maskShape(value) : maskEmails(value, '[email]');
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => maskValues(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isPiiKey(k) ? (Array.isArray(v) ? v.map(maskLeaf) : maskLeaf(v)) : maskValues(v, depth + 1);
  }
  return out;
}
