/**
 * What identifies a record across deliveries: its trigger type and record id (the dedupe key is
 * `(trigger, webhook_record_id ?? id)`; record-id sequences are per trigger), and the Flipcause
 * account it belongs to. Shared by intake (which refuses bad ones) and the normaliser.
 */
import { createHash } from 'node:crypto';
import { parseContactId } from './contact-id.ts';
import { CONTACT_ID_FIELDS, ORG_FIELDS } from './candidates.ts';
import { text } from './values.ts';

export const UNKNOWN_TRIGGER = 'unknown';
const MAX_ID_LENGTH = 128;
const DIGITS = /^\d+$/;

export interface IdentityProblem {
  field: string;
  expected: string;
  type: string;
}

/** Names what makes a record's identity unusable, or null when it is fine. */
export function identityProblem(raw: Record<string, unknown>): IdentityProblem | null {
  const trigger = raw['webhook_trigger_type'];
  if (trigger !== undefined && trigger !== null && !(typeof trigger === 'string' && trigger.length <= MAX_ID_LENGTH)) {
    return { field: 'webhook_trigger_type', expected: `a string of at most ${MAX_ID_LENGTH} characters`, type: describe(trigger) };
  }
  for (const field of ['webhook_record_id', 'id']) {
    const v = raw[field];
    if (v === undefined || v === null) continue;
    const ok = (typeof v === 'string' && v.length <= MAX_ID_LENGTH) || (typeof v === 'number' && Number.isSafeInteger(v));
    if (!ok) return { field, expected: `a string of at most ${MAX_ID_LENGTH} characters or an integer`, type: describe(v) };
  }
  return accountProblem(raw);
}

/**
 * A field naming a Flipcause account must hold a value the org check can read. Anything else
 * (`["999"]`, `{"id": "999"}`, "acct-999") is refused rather than skipped: skipping it would let
 * a record that names another account through it pass the check.
 */
function accountProblem(raw: Record<string, unknown>): IdentityProblem | null {
  for (const field of ORG_FIELDS) {
    const v = raw[field];
    if (v === undefined || v === null) continue;
    const s = text(v);
    const scalar = typeof v === 'string' || typeof v === 'number';
    if (!scalar || (s !== null && !DIGITS.test(s))) {
      return { field, expected: 'a Flipcause account number (digits)', type: scalar ? `${describe(v)} holding other characters` : describe(v) };
    }
  }
  for (const field of CONTACT_ID_FIELDS) {
    const v = raw[field];
    if (v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'number') {
      return { field, expected: 'a string', type: describe(v) };
    }
  }
  return null;
}

export function triggerOf(raw: Record<string, unknown>): string {
  return text(raw['webhook_trigger_type']) ?? UNKNOWN_TRIGGER;
}

/**
 * `webhook_record_id ?? id` as a string. A record with neither (not seen, but Flipcause's
 * unpublished triggers may do it) gets a digest of its content, so a redelivery still dedupes
 * instead of the record being refused and then dropped by Flipcause after its retries.
 */
export function recordIdOf(raw: Record<string, unknown>): string {
  return text(raw['webhook_record_id']) ?? text(raw['id']) ?? contentId(raw);
}

function contentId(raw: Record<string, unknown>): string {
  return 'sha256:' + createHash('sha256').update(JSON.stringify(raw)).digest('hex').slice(0, 32);
}

export interface OrgClaim {
  field: string;
  org: string;
}

/** Every Flipcause account a record names (user_id, and the number in each CID…). */
export function orgClaims(raw: Record<string, unknown>): OrgClaim[] {
  const out: OrgClaim[] = [];
  for (const field of ORG_FIELDS) {
    const v = text(raw[field]);
    if (v !== null && DIGITS.test(v)) out.push({ field, org: v });
  }
  for (const field of CONTACT_ID_FIELDS) {
    const parts = parseContactId(text(raw[field]));
    if (parts) out.push({ field, org: parts.org });
  }
  return out;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}
