/**
 * One raw Flipcause record → the NormalisedEvent every flow's `when` and `mapping` see. Pure and
 * allocation-light: candidate lists are merged and patterns compiled at load, never per call,
 * and it never throws on a record's content (an odd record normalises to empties, and `raw`
 * keeps everything).
 */
import type { Address, Contact, EventInfo, NormalisedEvent, Phone } from '../../engine/ports/event.ts';
import type { GroupKeys } from '../../engine/ports/source.ts';
import { type Candidates, candidatesFor, pick, pickWith } from './candidates.ts';
import { MAILING_LIST, REFUND, codeOfActivityId, codeOfWord, splitList } from './activity-codes.ts';
import { parseContactId } from './contact-id.ts';
import { orgClaims, recordIdOf, triggerOf } from './identity.ts';
import { type RecordKind, hasContact, kindOf } from './triggers.ts';
import { amount, bool, country, email, parseDate, phonePrefix, text } from './values.ts';

export function normalise(raw: Record<string, unknown>): NormalisedEvent {
  const trigger = triggerOf(raw);
  const kind = kindOf(trigger);
  const c = candidatesFor(kind);
  return {
    contact: hasContact(kind) ? contactOf(raw, c) : null,
    event: eventOf(raw, c, trigger, kind),
    raw,
  };
}

/**
 * normalise(raw).contact?.email and .event.transaction_id, from the same candidates and parsers,
 * without the rest of the event: intake needs only these, for every record it stores.
 */
export function groupKeys(raw: Record<string, unknown>): GroupKeys {
  const kind = kindOf(triggerOf(raw));
  const c = candidatesFor(kind);
  return { email: hasContact(kind) ? email(pick(raw, c.email)).email : null, txn: transactionIdOf(raw, c) };
}

function contactOf(raw: Record<string, unknown>, c: Candidates): Contact {
  const mail = email(pick(raw, c.email));
  const cid = parseContactId(pick(raw, c.contact_id));
  const first_name = pick(raw, c.first_name);
  const last_name = pick(raw, c.last_name);
  return {
    email: mail.email,
    email_status: mail.status,
    first_name,
    last_name,
    full_name: cid?.name ?? joinName(first_name, last_name),
    business_name: pick(raw, c.business_name),
    title: pick(raw, c.title),
    suffix: pick(raw, c.suffix),
    phone: phoneOf(raw, c),
    address: addressOf(raw, c),
    contact_id: cid?.id ?? null,
    individual_or_business: pick(raw, c.individual_or_business),
  };
}

function joinName(first: string | null, last: string | null): string | null {
  if (first === null) return last;
  return last === null ? first : `${first} ${last}`;
}

function phoneOf(raw: Record<string, unknown>, c: Candidates): Phone | null {
  const number = pick(raw, c.phone_number);
  if (number === null) return null;
  return {
    country_code: pickWith(raw, c.phone_prefix, phonePrefix),
    number,
    type: pick(raw, c.phone_type),
  };
}

function addressOf(raw: Record<string, unknown>, c: Candidates): Address {
  return {
    line1: pick(raw, c.line1),
    line2: pick(raw, c.line2),
    city: pick(raw, c.city),
    state: pick(raw, c.state),
    postal_code: pick(raw, c.postal_code),
    country: pickWith(raw, c.country, country),
  };
}

const BARE_TRANSACTION = /^\d+$/;
const T_TRANSACTION = /^[Tt]\d+$/;

/** "T2045117" as sent, or a bare "2045117" given its T; null for anything else. */
function transactionIdOf(raw: Record<string, unknown>, c: Candidates): string | null {
  for (const name of c.transaction_id) {
    const v = text(raw[name]);
    if (v === null) continue;
    if (T_TRANSACTION.test(v)) return 'T' + v.slice(1);
    if (BARE_TRANSACTION.test(v)) return 'T' + v;
  }
  return null;
}

function eventOf(raw: Record<string, unknown>, c: Candidates, trigger: string, kind: RecordKind): EventInfo {
  const activity_id = pick(raw, c.activity_id);
  const activity_ids = activity_id !== null ? [activity_id] : splitList(pick(raw, c.associated_activity_ids));
  const activity_type = pick(raw, c.activity_type);
  const activity_codes = codesOf(activity_type, pick(raw, c.transaction_type), activity_ids);
  const refund = activity_codes.includes(REFUND);
  const date_raw = dateRawOf(raw, c);
  const added = pick(raw, c.tag_added);
  const removed = pick(raw, c.tag_removed);
  return {
    trigger,
    known: kind !== 'unknown',
    kind,
    record_id: recordIdOf(raw),
    org_id: orgClaims(raw)[0]?.org ?? null,
    transaction_id: transactionIdOf(raw, c),
    activity_id,
    activity_ids,
    activity_type,
    activity_codes,
    campaign: pick(raw, c.campaign),
    amount: pickWith(raw, c.amount, amount),
    date_raw,
    date: date_raw === null ? null : parseDate(date_raw),
    on_list: !refund && activity_codes.includes(MAILING_LIST),
    refund,
    anonymous: pickWith(raw, c.anonymous, bool) ?? false,
    tag: added === null && removed === null ? null : { added, removed },
  };
}

/** Codes from the activity word, the transaction's code list and the activity ids; first seen first. */
function codesOf(word: string | null, transactionType: string | null, activityIds: string[]): string[] {
  const codes: string[] = [];
  addCode(codes, codeOfWord(word));
  for (const code of splitList(transactionType)) addCode(codes, code.toUpperCase());
  for (const id of activityIds) addCode(codes, codeOfActivityId(id));
  return codes;
}

function addCode(codes: string[], code: string | null): void {
  if (code !== null && !codes.includes(code)) codes.push(code);
}

/** The record's own date; an activity's date and its separate time are joined ("2026-11-05 14:32"). */
function dateRawOf(raw: Record<string, unknown>, c: Candidates): string | null {
  const date = pick(raw, c.date);
  if (date === null) return null;
  const time = pick(raw, c.time);
  return time === null ? date : `${date} ${time}`;
}
