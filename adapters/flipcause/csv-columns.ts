/**
 * The CSV exports Flipcause produces, as data: for each export, its columns (as Flipcause names
 * them) → the raw record name each one fills, and the normalised-event fields that name feeds.
 * Headers are matched case- and spacing-insensitively; a column not listed is ignored (and
 * reported once by `engine backfill`), so every column either reaches the normalised event or is
 * named as ignored. Supporting a column Flipcause adds later is one line here.
 */

export interface ColumnSpec {
  /** The raw record name the value is put under (`phone`, `date` and `codes` are composed: backfill-record.ts). */
  raw: string;
  /** Normalised-event paths the column feeds. */
  fields: readonly string[];
}

export interface ExportFormat {
  /** In Flipcause's words. */
  name: string;
  /** The trigger whose records this export's rows are read as (its field names and kind). */
  trigger: 'new_contact' | 'new_transaction';
  columns: Readonly<Record<string, ColumnSpec>>;
}

const NAME = { first: ['contact.first_name', 'contact.full_name'], last: ['contact.last_name', 'contact.full_name'] };
const col = (raw: string, ...fields: string[]): ColumnSpec => ({ raw, fields });

/** Columns both exports may carry, under the names the normaliser reads on both trigger types. */
const PERSON: Readonly<Record<string, ColumnSpec>> = {
  'first name': col('first_name', ...NAME.first),
  'last name': col('last_name', ...NAME.last),
  email: col('email', 'contact.email', 'contact.email_status'),
  'email address': col('email', 'contact.email', 'contact.email_status'),
  'business/organization name': col('business_name', 'contact.business_name'),
  'business name': col('business_name', 'contact.business_name'),
  'organization name': col('business_name', 'contact.business_name'),
  title: col('title', 'contact.title'),
  suffix: col('suffix', 'contact.suffix'),
  'contact id': col('contact_id', 'contact.contact_id'),
  address: col('address_line', 'contact.address.line1'),
  'address line 1': col('address_line', 'contact.address.line1'),
  'street address': col('address_line', 'contact.address.line1'),
  'address line 2': col('address_line2', 'contact.address.line2'),
  city: col('city', 'contact.address.city'),
  'state/province': col('state', 'contact.address.state'),
  state: col('state', 'contact.address.state'),
  'postal code': col('postal_code', 'contact.address.postal_code'),
  'zip code': col('postal_code', 'contact.address.postal_code'),
  zip: col('postal_code', 'contact.address.postal_code'),
  country: col('country', 'contact.address.country'),
  phone: col('phone_number', 'contact.phone.number'),
  'phone number': col('phone_number', 'contact.phone.number'),
};

/**
 * Flipcause's contacts export. A contact has a mobile and a home number; the normalised event
 * has one phone: the mobile one, else the home one (its type says which). The export dates no
 * record of its own but the contact's largest contribution, so that gift is the event's amount
 * and date. "All Time Donation Amount" is a sum, not a gift, and is left out like Birthdate,
 * Tags and the phone extensions, which the normalised event has no place for.
 */
export const CONTACTS_EXPORT: ExportFormat = {
  name: 'contacts export',
  trigger: 'new_contact',
  columns: {
    ...PERSON,
    'primary mobile country code': col('phone.mobile.prefix', 'contact.phone.country_code'),
    'primary mobile number': col('phone.mobile.number', 'contact.phone.number', 'contact.phone.type'),
    'primary home number country code': col('phone.home.prefix', 'contact.phone.country_code'),
    'primary home number': col('phone.home.number', 'contact.phone.number', 'contact.phone.type'),
    'largest contribution amount': col('largest_contribution_amount', 'event.amount'),
    'largest contribution date': col('largest_contribution_date', 'event.date', 'event.date_raw'),
  },
};

/**
 * Flipcause's transactions export: one row per transaction, read as a new_transaction record, so
 * a flow sees the same event a live transaction gives it (amount, campaign, date, activity
 * codes: "D,M" puts the donor on the mailing list). "Amount" is the transaction's total, as on
 * a live one; "Donation Amount" stands in when it is blank. The date and the time columns are
 * one datum.
 */
export const TRANSACTIONS_EXPORT: ExportFormat = {
  name: 'transactions export',
  trigger: 'new_transaction',
  columns: {
    ...PERSON,
    'transaction id': col('transaction_id', 'event.transaction_id'),
    'transaction date': col('date.day', 'event.date', 'event.date_raw'),
    'transaction time': col('date.time', 'event.date', 'event.date_raw'),
    'transaction type': col('codes', 'event.activity_codes', 'event.activity_type', 'event.on_list', 'event.refund'),
    'activity type': col('codes', 'event.activity_codes', 'event.activity_type', 'event.on_list', 'event.refund'),
    'campaign title': col('campaign_title', 'event.campaign'),
    'campaign name': col('campaign_title', 'event.campaign'),
    amount: col('total_transaction_amount', 'event.amount'),
    'donation amount': col('DD_donation_amount', 'event.amount'),
  },
};

/** Columns only a transactions export has: one of them tells the two apart. */
const TRANSACTION_MARKS = ['transaction id', 'transaction date', 'transaction type'];
const EMAIL_COLUMNS = ['email', 'email address'];

export function headerKey(header: string): string {
  return header.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/\s*\/\s*/g, '/').replace(/[\s_]+/g, ' ');
}

/** Which export a header row belongs to; null when it has no email column (no export this reads). */
export function formatOf(headers: readonly string[]): ExportFormat | null {
  const keys = new Set(headers.map(headerKey));
  if (TRANSACTION_MARKS.some((k) => keys.has(k))) return TRANSACTIONS_EXPORT;
  return EMAIL_COLUMNS.some((k) => keys.has(k)) ? CONTACTS_EXPORT : null;
}

/** The exports this reads, with the headers that identify them (for the error when none matches). */
export const FORMAT_HINTS: readonly string[] = [
  'a contacts export (First Name, Last Name, Email, Primary Mobile Number, Address, …)',
  'a transactions export (Transaction ID, Transaction Date, Amount, Campaign Title, Email, …)',
];
