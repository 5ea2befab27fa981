/**
 * Where each datum may be found, as data. Flipcause names the same datum differently per trigger
 * (`address` / `address_line`, `business_organization_name` / `business_name`, unprefixed vs
 * `PD_` on activities) and publishes only part of its field list, so every datum is read from an
 * ordered list of candidate names: the first one holding a value wins. Supporting a field
 * Flipcause adds later is one name added to one list here.
 *
 * `country_code` means the phone prefix on transactions and the address country on contact
 * updates; each list below puts it where it belongs for its kind, and the value readers also
 * check its shape ("+1" is never a country, "US" never a phone prefix), which settles the
 * unpublished `PD_` names too.
 */
import type { RecordKind } from './triggers.ts';
import { text } from './values.ts';

export type Names = readonly string[];

export type ContactField =
  | 'email'
  | 'first_name'
  | 'last_name'
  | 'business_name'
  | 'title'
  | 'suffix'
  | 'individual_or_business'
  | 'phone_number'
  | 'phone_type'
  | 'phone_prefix'
  | 'line1'
  | 'line2'
  | 'city'
  | 'state'
  | 'postal_code'
  | 'country'
  | 'contact_id';

export type EventField =
  | 'transaction_id'
  | 'activity_id'
  | 'associated_activity_ids'
  | 'activity_type'
  | 'transaction_type'
  | 'campaign'
  | 'amount'
  | 'anonymous'
  | 'date'
  | 'time'
  | 'tag_added'
  | 'tag_removed';

export type Candidates = { readonly [F in ContactField | EventField]: Names };

/** Fields naming the Flipcause account a record belongs to. */
export const ORG_FIELDS: Names = ['user_id'];
/** Fields holding a Flipcause contact id, bare or as "Name (CID…)". */
export const CONTACT_ID_FIELDS: Names = ['contact_id', 'AD_contact_id', 'PD_contact_id'];

/** Names that mean the same on every trigger type. */
const COMMON: Candidates = {
  email: ['email', 'PD_email', 'PD_email_address', 'email_address'],
  first_name: ['first_name', 'PD_first_name'],
  last_name: ['last_name', 'PD_last_name'],
  business_name: [
    'business_name',
    'business_organization_name',
    'PD_business_name',
    'PD_business_organization_name',
    'PD_organization_name',
  ],
  title: ['title', 'PD_title'],
  suffix: ['suffix', 'PD_suffix'],
  // "bussiness" (sic) is how Flipcause spells it on activities.
  individual_or_business: ['individual_or_business', 'PD_individual_or_bussiness', 'PD_individual_or_business'],
  phone_number: ['phone_number', 'PD_phone_number', 'PD_phone', 'phone'],
  phone_type: ['phone_no_type', 'PD_phone_no_type', 'PD_phone_type'],
  phone_prefix: ['phone_country_code', 'PD_phone_country_code', 'PD_country_code'],
  line1: ['address_line', 'address', 'address_line1', 'PD_address_line', 'PD_address', 'PD_address_line1', 'PD_street_address'],
  line2: ['address_line2', 'PD_address_line2', 'PD_address2'],
  city: ['city', 'PD_city'],
  state: ['state', 'PD_state', 'PD_province'],
  postal_code: ['postal_code', 'zip', 'zip_code', 'PD_postal_code', 'PD_zip', 'PD_zip_code', 'PD_zipcode'],
  country: ['country', 'PD_country', 'PD_address_country', 'PD_country_code'],
  contact_id: CONTACT_ID_FIELDS,

  transaction_id: ['AD_transaction_id', 'transaction_id'],
  activity_id: [],
  associated_activity_ids: ['associated_activity_IDs', 'associated_activity_ids'],
  activity_type: ['activity_type', 'AD_activity_type'],
  transaction_type: ['transaction_type'],
  campaign: ['AD_campaign_title', 'campaign_name', 'campaign_title'],
  amount: [
    'total_transaction_amount',
    'DD_amount',
    'DD_donation_amount',
    'AD_amount',
    'AD_total_amount',
    'amount',
    'total_charged_amount',
    'posted_amount',
    // A contacts export's only dated gift (backfill).
    'largest_contribution_amount',
  ],
  anonymous: ['want_to_anonymous', 'DD_want_to_anonymous', 'AD_want_to_anonymous', 'PD_want_to_anonymous'],
  date: ['transaction_date', 'AD_transaction_date', 'payment_date', 'created_on', 'updated_on', 'date'],
  time: [],
  tag_added: [],
  tag_removed: [],
};

/** What differs per kind of record. */
const BY_KIND: { readonly [K in RecordKind]: Partial<Candidates> } = {
  activity: {
    activity_id: ['activity_order_format', 'AD_activity_order_format'],
    date: ['AD_transaction_date'],
    // "HH:MM " (trailing space) beside the date.
    time: ['AD_transaction_time'],
  },
  transaction: {
    phone_prefix: ['country_code', ...COMMON.phone_prefix],
    date: ['transaction_date'],
  },
  contact: {
    country: ['country_code', ...COMMON.country],
    // largest_contribution_date: a contacts export's only dated gift (backfill).
    date: ['created_on', 'created_at', 'date_created', 'updated_on', 'largest_contribution_date'],
  },
  contact_update: {
    country: ['country_code', ...COMMON.country],
    date: ['updated_on'],
    tag_added: ['ADDED_tag'],
    tag_removed: ['REMOVED_tag'],
  },
  merchant: {},
  unknown: {},
};

const COMPILED: ReadonlyMap<RecordKind, Candidates> = new Map(
  (Object.keys(BY_KIND) as RecordKind[]).map((kind) => [kind, Object.freeze({ ...COMMON, ...BY_KIND[kind] })]),
);

/** The candidate lists for one kind of record (merged once, at load). */
export function candidatesFor(kind: RecordKind): Candidates {
  return COMPILED.get(kind)!;
}

/** The first candidate holding a value (trimmed; "" and "NA" do not count). */
export function pick(raw: Record<string, unknown>, names: Names): string | null {
  for (const name of names) {
    const v = text(raw[name]);
    if (v !== null) return v;
  }
  return null;
}

/** The value of the first candidate the reader accepts (e.g. a country_code that is a real phone prefix). */
export function pickWith<T>(raw: Record<string, unknown>, names: Names, read: (v: unknown) => T | null): T | null {
  for (const name of names) {
    const v = read(raw[name]);
    if (v !== null) return v;
  }
  return null;
}
