/**
 * Flipcause export column names → the raw record names the Flipcause normaliser reads (the
 * unprefixed names of a contact record). Headers are matched case- and spacing-insensitively;
 * columns not listed here are ignored, and column order does not matter.
 */
const COLUMNS: Readonly<Record<string, string>> = {
  'first name': 'first_name',
  'last name': 'last_name',
  email: 'email',
  'email address': 'email',
  address: 'address_line',
  'address line 1': 'address_line',
  'address 1': 'address_line',
  'street address': 'address_line',
  'address line 2': 'address_line2',
  'address 2': 'address_line2',
  city: 'city',
  'state/province': 'state',
  state: 'state',
  province: 'state',
  'postal code': 'postal_code',
  'zip code': 'postal_code',
  zip: 'postal_code',
  country: 'country',
  phone: 'phone_number',
  'phone number': 'phone_number',
  'business name': 'business_name',
  'organization name': 'business_name',
  company: 'business_name',
  title: 'title',
  suffix: 'suffix',
  'contact id': 'contact_id',
  // Transactions exports: "D,M" puts the contact on the mailing list, as a live transaction would.
  'transaction type': 'transaction_type',
  'activity type': 'activity_type',
};

function headerKey(header: string): string {
  return header.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/\s*\/\s*/g, '/').replace(/[\s_]+/g, ' ');
}

/** For each CSV column, the raw record name it feeds (null when the column is not used). */
export function columnTargets(headers: readonly string[]): Array<string | null> {
  const seen = new Set<string>();
  return headers.map((h) => {
    const target = COLUMNS[headerKey(h)] ?? null;
    // The first of two columns feeding the same name wins (e.g. "Email" and "Email Address").
    if (target === null || seen.has(target)) return null;
    seen.add(target);
    return target;
  });
}
