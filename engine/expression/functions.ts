/**
 * Functions the engine adds to JSONata for the common chores of a mapping. Each is registered
 * once per compiled expression, with a JSONata signature so bad calls fail at the call site.
 */
import type { Phone } from '../ports/event.ts';

export interface MappingFunction {
  name: string;
  signature: string;
  impl: (...args: any[]) => unknown;
}

const BLANKS = new Set(['', 'na', 'n/a', 'null', 'none']);

/** Blank-ish strings ("", "NA", whitespace) to null; anything else unchanged. */
export function blank(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && BLANKS.has(value.trim().toLowerCase())) return null;
  return typeof value === 'string' ? value.trim() : value;
}

/** "mARY ann o'neil-smith" → "Mary Ann O'Neil-Smith". */
export function titleCase(value: unknown): unknown {
  const s = blank(value);
  if (typeof s !== 'string') return s;
  return s.toLowerCase().replace(/(^|[\s\-'’])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

/**
 * A phone as one string: "+15105550100" when a country prefix is known (E.164), the digits
 * otherwise. Takes the normalised phone object or a plain string.
 */
export function phone(value: unknown, defaultPrefix?: string): unknown {
  if (value === null || value === undefined) return null;
  let prefix: string | null = defaultPrefix ?? null;
  let number: string;
  if (typeof value === 'string' || typeof value === 'number') number = String(value);
  else if (typeof value === 'object') {
    const p = value as Partial<Phone>;
    number = String(p.number ?? '');
    prefix = p.country_code ?? prefix;
  } else return null;
  const digits = number.replace(/\D/g, '');
  if (digits.length === 0) return null;
  if (number.trim().startsWith('+')) return '+' + digits;
  const prefixDigits = (prefix ?? '').replace(/\D/g, '');
  if (!prefixDigits) return digits;
  // A number that already starts with its country prefix (11 digits "1510…" for +1) is not prefixed twice.
  if (digits.startsWith(prefixDigits) && digits.length > 10) return '+' + digits;
  return `+${prefixDigits}${digits}`;
}

export const mappingFunctions: MappingFunction[] = [
  { name: 'blank', signature: '<x-:x>', impl: blank },
  { name: 'titleCase', signature: '<x-:x>', impl: titleCase },
  { name: 'phone', signature: '<x-s?:x>', impl: phone },
];
