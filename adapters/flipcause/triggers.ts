/**
 * Trigger types and what kind of record each one delivers. The kind decides which candidate
 * field names apply and whether the record describes a person at all.
 */

import type { EventInfo } from '../../engine/ports/event.ts';

export type RecordKind = EventInfo['kind'];

export const KNOWN_TRIGGERS: ReadonlyMap<string, RecordKind> = new Map([
  ['new_activity', 'activity'],
  ['new_transaction', 'transaction'],
  // Fires on contact creation; the name is not published (Flipcause's other names suggest this one).
  ['new_contact', 'contact'],
  ['update_contact', 'contact_update'],
]);

/**
 * Merchant-account payments/credits fire a webhook whose trigger name is not published; any
 * trigger naming "merchant" is taken to be one. They carry no person: no contact, but kept.
 */
const MERCHANT = 'merchant';

export function kindOf(trigger: string): RecordKind {
  const known = KNOWN_TRIGGERS.get(trigger);
  if (known !== undefined) return known;
  return trigger.toLowerCase().includes(MERCHANT) ? 'merchant' : 'unknown';
}

/** Kinds whose records describe a person (and so normalise with a contact). */
export function hasContact(kind: RecordKind): boolean {
  return kind !== 'merchant' && kind !== 'unknown';
}
