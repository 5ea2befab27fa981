/**
 * Intake of one delivery: raw bytes in (whatever the Content-Type said), records out, each with
 * its trigger and dedupe key. All or nothing: the first bad record refuses the whole delivery
 * with an error naming its index, so a delivery is never half-stored.
 */
import type { IntakeRecord } from '../../engine/ports/source.ts';
import type { EngineError } from '../../engine/errors.ts';
import { FcErrors } from './errors.ts';
import { describe, identityProblem, orgClaims, recordIdOf, triggerOf } from './identity.ts';

export interface IntakeLimits {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Most records accepted in one delivery. */
  maxRecords: number;
  /** Deepest nesting accepted inside a record (Flipcause records are flat). */
  maxDepth: number;
}

/**
 * A Flipcause record is 2–4 KB and a burst carries tens of them; these leave an order of
 * magnitude of room while keeping one delivery's parse and commit well inside the 3 s timeout.
 */
export const DEFAULT_LIMITS: Readonly<IntakeLimits> = Object.freeze({ maxBytes: 1024 * 1024, maxRecords: 500, maxDepth: 8 });

export interface ParseOptions {
  /** The flow's Flipcause account: records naming another account are refused (403). */
  orgId?: string;
  limits?: Partial<IntakeLimits>;
}

// Keys that would reach Object.prototype if a record were ever merged or spread into another object.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const JSON_POSITION = /at position (\d+)/;
const WHITESPACE_ONLY = /^\s*$/;
// In Unicode mode a surrogate pair is one code point, so only an unpaired half matches; one
// character class, so a scan is linear in the string's length.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;
// The strict UTF-8 decoder refuses encoded surrogates, so JSON can only produce one from a
// \uD800–\uDFFF escape: a body without such an escape needs no string scanned.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** Splits a delivery into records; throws an FC_ERR_… EngineError (4xx) for anything bad. */
export function parseDelivery(body: Buffer | Uint8Array, options: ParseOptions = {}): IntakeRecord[] {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  if (body.byteLength > limits.maxBytes) {
    throw FcErrors.FC_ERR_BODY_TOO_LARGE({ size: body.byteLength, limit: limits.maxBytes });
  }
  const json = decode(body);
  if (WHITESPACE_ONLY.test(json)) throw FcErrors.FC_ERR_BODY_EMPTY();
  const parsed = parseJson(json);

  let items: unknown[];
  if (Array.isArray(parsed)) items = parsed;
  else if (isObject(parsed)) items = [parsed];
  else throw FcErrors.FC_ERR_BODY_NOT_RECORDS({ type: describe(parsed) });
  if (items.length === 0) throw FcErrors.FC_ERR_NO_RECORDS();
  if (items.length > limits.maxRecords) throw FcErrors.FC_ERR_TOO_MANY_RECORDS({ count: items.length, limit: limits.maxRecords });

  const checkText = SURROGATE_ESCAPE.test(json);
  const records: IntakeRecord[] = [];
  for (let index = 0; index < items.length; index++) {
    records.push(intakeRecord(items[index], index, limits, options.orgId, checkText));
  }
  return records;
}

function decode(body: Buffer | Uint8Array): string {
  try {
    // The decoder drops a leading BOM, which JSON.parse would otherwise reject.
    return UTF8.decode(body);
  } catch (cause) {
    throw FcErrors.FC_ERR_BODY_NOT_UTF8({}, { cause });
  }
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch (cause) {
    // V8's message quotes the body around the fault, and bodies carry PII: report the position only.
    const position = cause instanceof Error ? JSON_POSITION.exec(cause.message)?.[1] : undefined;
    const reason =
      cause instanceof RangeError ? 'nested too deeply' : position !== undefined ? `syntax error at byte offset ${position}` : 'syntax error';
    throw FcErrors.FC_ERR_BODY_NOT_JSON({ reason }, { cause: new Error(reason) });
  }
}

function intakeRecord(item: unknown, index: number, limits: IntakeLimits, orgId: string | undefined, checkText: boolean): IntakeRecord {
  if (!isObject(item)) throw FcErrors.FC_ERR_RECORD_NOT_OBJECT({ index, type: describe(item) });
  const bad = recordProblem(item, index, limits.maxDepth, checkText);
  if (bad) throw bad;
  const problem = identityProblem(item);
  if (problem) throw FcErrors.FC_ERR_RECORD_FIELD_INVALID({ index, ...problem });
  if (orgId !== undefined) {
    for (const claim of orgClaims(item)) {
      if (claim.org !== orgId) {
        throw FcErrors.FC_ERR_RECORD_WRONG_ORG({ index, found: claim.org, field: claim.field, expected: orgId });
      }
    }
  }
  const trigger = triggerOf(item);
  const recordId = recordIdOf(item);
  return { trigger, recordId, dedupeKey: `${trigger}:${recordId}`, raw: item };
}

/**
 * Walks the record without recursion (so a hostile nesting cannot overflow the stack), refusing
 * forbidden keys, nesting past the limit, and text that is not well-formed Unicode.
 *
 * A lone UTF-16 surrogate ("\ud800" in the JSON) is refused with a 400 naming the record and
 * field, not stored and skipped: it is not text (no UTF-8 encoder can send it on to MailerLite,
 * so the record could never be delivered as sent); an encoder working from real UTF-8 text, as
 * a sender's is, cannot produce it, so it marks a corrupted or forged delivery, which the sender
 * should see refused, like every other malformed record, rather than acknowledged and
 * half-processed. The whole delivery is refused, so nothing of it is stored.
 */
function recordProblem(record: Record<string, unknown>, index: number, maxDepth: number, checkText: boolean): EngineError | null {
  const stack: { value: object; path: string; depth: number }[] = [{ value: record, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (depth > maxDepth) return FcErrors.FC_ERR_RECORD_TOO_DEEP({ index, limit: maxDepth });
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const bad = visit(value[i], path, i, depth + 1);
        if (bad) return bad;
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return FcErrors.FC_ERR_RECORD_FORBIDDEN_KEY({ index, key, path: clip(childPath(path, key)) });
      const lone = checkText ? LONE_SURROGATE.exec(key) : null;
      if (lone) return FcErrors.FC_ERR_RECORD_NOT_UNICODE({ index, path: clip(printable(childPath(path, key))), part: 'name', offset: lone.index });
      const bad = visit((value as Record<string, unknown>)[key], path, key, depth + 1);
      if (bad) return bad;
    }
  }
  return null;

  // Flipcause values are strings: only the rare nested value costs a stack entry (and a path).
  function visit(v: unknown, path: string, step: string | number, depth: number): EngineError | null {
    if (typeof v === 'string') {
      if (!checkText) return null;
      const lone = LONE_SURROGATE.exec(v);
      return lone ? FcErrors.FC_ERR_RECORD_NOT_UNICODE({ index, path: clip(printable(childPath(path, step))), part: 'value', offset: lone.index }) : null;
    }
    if (typeof v === 'object' && v !== null) stack.push({ value: v, path: childPath(path, step), depth });
    return null;
  }
}

function childPath(path: string, step: string | number): string {
  if (typeof step === 'number') return `${path}[${step}]`;
  return path === '' ? step : `${path}.${step}`;
}

const MAX_PATH = 120;

function clip(path: string): string {
  return path.length <= MAX_PATH ? path : `…${path.slice(-MAX_PATH)}`;
}

/** A path fit for a message: an unpaired surrogate in a key is shown as U+FFFD. */
function printable(path: string): string {
  return path.replace(LONE_SURROGATES, '\uFFFD');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
