/**
 * The normalised event: what every flow's `when` and `mapping` see, whatever trigger type or
 * payload quirk the record came with. The engine owns this shape; a source adapter produces it
 * (the Flipcause normaliser, pure). Every string is trimmed; "" and "NA" become null.
 */

export interface Phone {
  /** Phone prefix such as "+1" (from `country_code` on transactions, `phone_country_code` on contacts). */
  country_code: string | null;
  /** Digits as sent. */
  number: string;
  /** "M", "Home", … as sent. */
  type: string | null;
}

export interface Address {
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  /** Address country (never the phone prefix). */
  country: string | null;
}

export interface Contact {
  /** Trimmed and lower-cased; null when absent or not a plausible address (see email_status). */
  email: string | null;
  email_status: 'ok' | 'missing' | 'invalid';
  first_name: string | null;
  last_name: string | null;
  /** The name as Flipcause shows it ("Jane Doe" from "Jane Doe (CID…)"), else first and last joined. */
  full_name: string | null;
  business_name: string | null;
  title: string | null;
  suffix: string | null;
  phone: Phone | null;
  address: Address;
  /** Flipcause contact id, e.g. "CID638-1000015" (extracted from "Name (CID…)"). */
  contact_id: string | null;
  individual_or_business: string | null;
}

export interface EventInfo {
  /** webhook_trigger_type as sent (e.g. new_activity); "unknown" when absent. */
  trigger: string;
  /** False for trigger types the adapter does not know (kept and reported, never rejected). */
  known: boolean;
  /**
   * What the record describes: activity (new_activity), transaction (new_transaction), contact
   * (new_contact), contact_update (update_contact), merchant (a merchant-account payment/credit:
   * any trigger naming "merchant"), unknown. `contact` is null for merchant and unknown.
   */
  kind: 'activity' | 'transaction' | 'contact' | 'contact_update' | 'merchant' | 'unknown';
  /** webhook_record_id ?? id, as a string. */
  record_id: string;
  /** Flipcause account (user_id, or the number inside CID638-…); null when the record does not say. */
  org_id: string | null;
  /** Transaction id in its T-prefixed form ("T1098854"): the join key across triggers. */
  transaction_id: string | null;
  /** This record's own activity id, e.g. "D1098854_A" (new_activity only). */
  activity_id: string | null;
  /** Every activity id the record names (its own, or associated_activity_IDs). */
  activity_ids: string[];
  /** Activity type word as sent, e.g. "Donation", "Mailing List". */
  activity_type: string | null;
  /** Activity codes: "D", "M", "E", "G", "V", "R", "RD", "RS". */
  activity_codes: string[];
  campaign: string | null;
  /** Amount in the account's currency, when the record carries one. */
  amount: number | null;
  /**
   * The record's own date as sent (trimmed): transaction_date, updated_on, …; for an activity,
   * AD_transaction_date and AD_transaction_time joined ("2026-11-05 14:32").
   */
  date_raw: string | null;
  /** The same date as ISO 8601 UTC (Flipcause sends no zone; read as UTC), or null. */
  date: string | null;
  /** True only when this record carries a Mailing List activity (never for a refund). */
  on_list: boolean;
  refund: boolean;
  anonymous: boolean;
  /** update_contact: the tag added or removed by this record. */
  tag: { added: string | null; removed: string | null } | null;
}

export interface NormalisedEvent {
  /** Null for records that carry no person (merchant-account payments/credits, unknown triggers). */
  contact: Contact | null;
  event: EventInfo;
  /** The record exactly as received. */
  raw: Record<string, unknown>;
}

/**
 * Key patterns (case-insensitive regex sources) of the contact's donor data, wherever such a key
 * sits in a log line: logs redact them. Adapters add their own payload's (`piiKeys`).
 */
export const CONTACT_PII_KEYS: readonly string[] = [
  'e-?mail',
  '(first|last|middle|full|business|company)_?name',
  '^name$',
  '^title$',
  '^suffix$',
  'phone',
  'address',
  '^line[12]$',
  'street',
  '^city$',
  '^state$',
  'postal',
  '^zip',
  '^country$',
  'contact_id',
];
