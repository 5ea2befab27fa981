/**
 * Donor data is PII: log lines never carry emails, names, phones or addresses in clear.
 * Two nets, both built once: values under PII keys are replaced wherever they sit (also inside
 * MailerLite error bodies echoed into logs), and anything shaped like an email is masked in
 * every string, including messages (in one linear pass: see emails-in-text.ts).
 */
import { CONTACT_PII_KEYS } from '../ports/event.ts';
import { destinationAdapters, registryVersion, sourceAdapters } from '../registry.ts';
import { maskEmails } from './emails-in-text.ts';

let piiKey: { version: number; re: RegExp; known: Map<string, boolean> } | null = null;

/**
 * Answers already given, per key: log lines repeat the same few keys (every delivery's line has
 * the same six), so the pattern runs once per key, not once per line. Bounded, since keys can
 * come from data; past the bound a key is tested each time.
 */
const MAX_KNOWN_KEYS = 4096;

/** The contact's PII keys (ports) and every registered adapter's; rebuilt only when one registers. */
function piiKeys(): { re: RegExp; known: Map<string, boolean> } {
  if (piiKey?.version !== registryVersion()) {
    const adapters = [...sourceAdapters(), ...destinationAdapters()];
    const sources = [...new Set([...CONTACT_PII_KEYS, ...adapters.flatMap((a) => a.piiKeys)])];
    piiKey = { version: registryVersion(), re: new RegExp(sources.join('|'), 'i'), known: new Map() };
  }
  return piiKey;
}

export const REDACTED = '[redacted]';
export const TOO_DEEP = '[too deep]';
const MAX_DEPTH = 8;

export function isPiiKey(key: string): boolean {
  const { re, known } = piiKeys();
  let pii = known.get(key);
  if (pii === undefined) {
    pii = re.test(key);
    if (known.size < MAX_KNOWN_KEYS) known.set(key, pii);
  }
  return pii;
}

export function scrubString(s: string): string {
  return maskEmails(s, REDACTED);
}

/**
 * Errors already turned into log fields here. pino passes a line's object through its formatter
 * and then its `err` serializer, both of which redact: the second pass must not take the error's
 * fields for data (its `name` would look like a person's).
 */
const redactedErrors = new WeakSet<object>();

/** A deep copy of `value` with PII removed; the input is never mutated. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than any log field needs: dropped, since passing it on would pass its text unscrubbed.
  if (depth > MAX_DEPTH) return TOO_DEEP;
  if (redactedErrors.has(value)) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return redactError(value, {}, depth);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // Keys are text too: an object keyed by address (a map of contacts) must not log them.
    out[scrubString(k)] = isPiiKey(k) && v !== null && v !== undefined && typeof v !== 'boolean' ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

/**
 * An error as log fields: `type` and `name` (its class's name, set by code, never donor data: kept
 * as it is, where a `name` key of data is redacted), message, stack unless `stack: false`, and its
 * own fields (code, status, params…) redacted like any data.
 */
export function redactError(err: Error, options: { stack?: boolean } = {}, depth = 0): Record<string, unknown> {
  const name = scrubString(err.name); // an email in it, however unlikely, is still masked
  const out: Record<string, unknown> = { type: name, name, message: scrubString(err.message) };
  if (options.stack !== false && err.stack) out.stack = scrubString(err.stack);
  for (const [k, v] of Object.entries(err)) {
    if (k === 'name' || k === 'message' || k === 'stack') continue;
    out[k] = isPiiKey(k) ? REDACTED : redact(v, depth + 1);
  }
  redactedErrors.add(out);
  return out;
}
