/**
 * Reading single Flipcause values. Flipcause sends every value as a string, often with trailing
 * spaces, and writes "NA" for nothing; these readers absorb that once so the normaliser never
 * has to. All patterns are compiled here, at load.
 */

/** Values that mean "nothing". "NA" is Flipcause's; "N/A" is the same habit typed by hand. */
const EMPTY = new Set(['', 'NA', 'N/A']);

/** A trimmed string, or null for absent, blank, "NA", or a value that is not a scalar. */
export function text(v: unknown): string | null {
  let s: string;
  if (typeof v === 'string') s = v.trim();
  else if (typeof v === 'number') s = Number.isFinite(v) ? String(v) : '';
  else if (typeof v === 'boolean') s = v ? 'true' : 'false';
  else return null;
  return EMPTY.has(s) ? null : s;
}

const TRUE = new Set(['y', 'yes', 'true', '1']);
const FALSE = new Set(['n', 'no', 'false', '0']);

/** Y/N, Yes/No, true/false and 1/0 in any case; null when absent or anything else. */
export function bool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  const s = text(v);
  if (s === null) return null;
  const lower = s.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  return null;
}

const MONEY_NOISE = /[$,\s]/g;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)$/;

/** "1,250.00", "$25", "25.5" → number; null when blank or not a number. */
export function amount(v: unknown): number | null {
  const s = text(v);
  if (s === null) return null;
  const plain = s.replace(MONEY_NOISE, '');
  if (!NUMBER.test(plain)) return null;
  return Number(plain);
}

// Flipcause dates carry no zone: YYYY-MM-DD, optionally with HH:MM or HH:MM:SS; CSV exports
// also write MM/DD/YYYY. Both are read as UTC (the engine's documented convention).
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A zone-less Flipcause date/time as an ISO 8601 UTC string, or null when it is not a real date.
 * Validated and formatted by hand: this runs for every record, and Date#toISOString was the
 * normaliser's largest cost.
 */
export function parseDate(s: string): string | null {
  let y: string, mo: string, d: string, h: string | undefined, mi: string | undefined, sec: string | undefined;
  let m = ISO_LIKE.exec(s);
  if (m) {
    y = m[1]!, mo = m[2]!, d = m[3]!, h = m[4], mi = m[5], sec = m[6];
  } else if ((m = US_DATE.exec(s))) {
    mo = m[1]!, d = m[2]!, y = m[3]!, h = m[4], mi = m[5], sec = m[6];
  } else {
    return null;
  }
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23) return null;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return null;
  if ((mi !== undefined && Number(mi) > 59) || (sec !== undefined && Number(sec) > 59)) return null;
  return `${y}-${pad(mo)}-${pad(d)}T${pad(h ?? '0')}:${mi ?? '00'}:${sec ?? '00'}.000Z`;
}

function pad(part: string): string {
  return part.length === 1 ? '0' + part : part;
}

// Deliberately loose: one @, no spaces, a dot in the domain. MailerLite is the final judge;
// this only keeps obvious garbage ("none", "n/a@", "jane@example") from becoming a subscriber.
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const MAX_EMAIL = 254;

export type EmailStatus = 'ok' | 'missing' | 'invalid';

/** Trims and lower-cases; says whether the result is a plausible address. */
export function email(v: unknown): { email: string | null; status: EmailStatus } {
  const s = text(v);
  if (s === null) return { email: null, status: 'missing' };
  const lower = s.toLowerCase();
  if (lower.length > MAX_EMAIL || !EMAIL.test(lower)) return { email: null, status: 'invalid' };
  return { email: lower, status: 'ok' };
}

const PHONE_PREFIX = /^\+?(\d{1,4})(?:-(\d{1,4}))?$/;

/** A phone prefix as "+1" (or "+1-684"); null when the value is not one (e.g. a country code "US"). */
export function phonePrefix(v: unknown): string | null {
  const s = text(v);
  if (s === null) return null;
  const m = PHONE_PREFIX.exec(s);
  if (!m) return null;
  return m[2] === undefined ? `+${m[1]}` : `+${m[1]}-${m[2]}`;
}

/** An address country; null when the value is a phone prefix misfiled as a country. */
export function country(v: unknown): string | null {
  const s = text(v);
  if (s === null) return null;
  return PHONE_PREFIX.test(s) ? null : s;
}
