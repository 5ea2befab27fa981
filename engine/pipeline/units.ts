import type { Contact, NormalisedEvent } from '../ports/event.ts';
import type { Prepared } from './prepare.ts';

/** The records of one contact (and of its transactions) that are decided once, together. */
export interface Unit {
  flow: string;
  /**
   * Records with the primary first: the transaction (whose amount, campaign and id the mapping
   * sees), else the newest record. The others are recorded as coalesced into it.
   */
  records: Prepared[];
  /** The merged event the mapping sees: the primary record's, with the contact merged newest first. */
  event: NormalisedEvent;
  email: string | null;
  /** True when any record of the unit carries a Mailing List activity (sticky: an older one counts). */
  joinedList: boolean;
}

// Which record's event the mapping sees: a transaction carries the order-level facts (amount,
// campaign, every activity code); a new contact next; a single activity; a contact update last.
const PRIORITY: Record<NormalisedEvent['event']['kind'], number> = {
  transaction: 0, contact: 1, activity: 2, contact_update: 3, merchant: 4, unknown: 5,
};

const DIGITS = /^\d+$/;

/** When the record says it was written, as epoch ms; records that do not say sort oldest. */
function writtenAt(p: Prepared): number {
  const date = p.event!.event.date;
  const ms = date === null ? NaN : Date.parse(date);
  return Number.isNaN(ms) ? -Infinity : ms;
}

/**
 * Newest first: by the record's own timestamp; on a tie, the source's record id when both come
 * from one trigger's sequence (its ids rise with time); then the later arrival.
 */
function newerFirst(a: Prepared, b: Prepared): number {
  const byTime = writtenAt(b) - writtenAt(a);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  const ea = a.event!.event, eb = b.event!.event;
  if (ea.trigger === eb.trigger && DIGITS.test(ea.record_id) && DIGITS.test(eb.record_id)) {
    const byId = Number(eb.record_id) - Number(ea.record_id);
    if (byId !== 0) return byId;
  }
  return b.record.id - a.record.id;
}

/**
 * Groups the prepared (not skipped) records of one claim into units: records sharing an email or
 * a transaction id belong together (DESIGN §5, one transaction, one decision). Pure.
 */
export function formUnits(prepared: readonly Prepared[]): Unit[] {
  const live = prepared.filter((p) => p.skip === null && p.event?.contact);
  const parent = live.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const seen = new Map<string, number>();
  live.forEach((p, i) => {
    const ev = p.event!;
    const keys = [`${p.record.flow}\0txn\0${ev.event.transaction_id ?? ''}`, `${p.record.flow}\0email\0${ev.contact!.email ?? ''}`];
    for (const key of keys) {
      if (key.endsWith('\0')) continue; // no txn / no email: joins nothing by it
      const j = seen.get(key);
      if (j === undefined) seen.set(key, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, Prepared[]>();
  live.forEach((p, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), p]);
  });
  return [...groups.values()].map((records) => {
    // Every field as the contact last wrote it: newest record first, older ones fill gaps.
    records.sort(newerFirst);
    const contact = mergeContacts(records.map((r) => r.event!.contact!));
    // Stable: within a kind the newest stays first.
    records.sort((a, b) => PRIORITY[a.event!.event.kind] - PRIORITY[b.event!.event.kind]);
    const events = records.map((r) => r.event!);
    const primary = events[0]!;
    const joinedList = events.some((e) => e.event.on_list);
    const codes = [...new Set(events.flatMap((e) => e.event.activity_codes))];
    return {
      flow: records[0]!.record.flow,
      records,
      event: { ...primary, contact, event: { ...primary.event, on_list: joinedList, activity_codes: codes } },
      email: contact.email,
      joinedList,
    };
  });
}

/**
 * Each field from the first contact (the newest, as formUnits orders them) that has it, so the
 * latest edit wins and a sparse record never blanks a fuller one.
 */
export function mergeContacts(contacts: readonly Contact[]): Contact {
  const [first, ...rest] = contacts;
  const out: Contact = { ...first!, address: { ...first!.address } };
  for (const c of rest) {
    for (const key of Object.keys(out) as (keyof Contact)[]) {
      if (key === 'address' || key === 'email_status') continue;
      if (out[key] === null && c[key] !== null) (out as unknown as Record<string, unknown>)[key] = c[key];
    }
    for (const key of Object.keys(out.address) as (keyof Contact['address'])[]) {
      if (out.address[key] === null && c.address[key] !== null) out.address[key] = c.address[key];
    }
    if (out.email === c.email || out.email_status === 'missing') out.email_status = c.email_status === 'ok' ? 'ok' : out.email_status;
  }
  return out;
}
