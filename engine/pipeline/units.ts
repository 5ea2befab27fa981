import type { Contact, NormalisedEvent } from '../../adapters/flipcause/event.ts';
import type { Prepared } from './prepare.ts';

/** The records of one contact (and of its transactions) that are decided once, together. */
export interface Unit {
  flow: string;
  /** Records in the order they are merged: the most complete first. */
  records: Prepared[];
  /** The merged event the mapping sees: the primary record's, with the contact filled from all. */
  event: NormalisedEvent;
  email: string | null;
  /** True when any record of the unit carries a Mailing List activity. */
  joinedList: boolean;
}

// Transactions carry the fullest contact; activities next; contact updates last.
const PRIORITY: Record<string, number> = { new_transaction: 0, new_contact: 1, new_activity: 2, update_contact: 3 };

function rank(p: Prepared): number {
  return PRIORITY[p.event!.event.trigger] ?? 9;
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
    records.sort((a, b) => rank(a) - rank(b) || a.record.id - b.record.id);
    const events = records.map((r) => r.event!);
    const primary = events[0]!;
    const contact = mergeContacts(events.map((e) => e.contact!));
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

/** Each field from the first contact that has it, so a sparse record never blanks a fuller one. */
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
