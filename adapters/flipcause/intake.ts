/**
 * Intake of one delivery: raw bytes in (whatever the Content-Type said), records out, each with
 * its trigger and dedupe key. All or nothing: the first bad record refuses the whole delivery
 * with an error naming its index, so a delivery is never half-stored.
 */
import type { IntakeRecord } from '../../engine/registry.ts';
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

  const records: IntakeRecord[] = [];
  for (let index = 0; index < items.length; index++) {
    records.push(intakeRecord(items[index], index, limits, options.orgId));
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

function intakeRecord(item: unknown, index: number, limits: IntakeLimits, orgId: string | undefined): IntakeRecord {
  if (!isObject(item)) throw FcErrors.FC_ERR_RECORD_NOT_OBJECT({ index, type: describe(item) });
  const bad = forbiddenKey(item, index, limits.maxDepth);
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

/** Walks the record without recursion (so a hostile nesting cannot overflow the stack). */
function forbiddenKey(record: Record<string, unknown>, index: number, maxDepth: number): EngineError | null {
  const stack: { value: object; path: string; depth: number }[] = [{ value: record, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (depth > maxDepth) return FcErrors.FC_ERR_RECORD_TOO_DEEP({ index, limit: maxDepth });
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (typeof v === 'object' && v !== null) stack.push({ value: v, path: `${path}[${i}]`, depth: depth + 1 });
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        return FcErrors.FC_ERR_RECORD_FORBIDDEN_KEY({ index, key, path: clip(path === '' ? key : `${path}.${key}`) });
      }
      // Flipcause values are strings: only the rare nested value costs a stack entry.
      const v: unknown = (value as Record<string, unknown>)[key];
      if (typeof v === 'object' && v !== null) stack.push({ value: v, path: path === '' ? key : `${path}.${key}`, depth: depth + 1 });
    }
  }
  return null;
}

const MAX_PATH = 120;

function clip(path: string): string {
  return path.length <= MAX_PATH ? path : `…${path.slice(-MAX_PATH)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
