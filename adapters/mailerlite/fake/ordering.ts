/**
 * The orders MailerLite lists things in, as its recorded answers show: subscribers newest first
 * (by id), groups and fields by name.
 */

/**
 * Ids in creation order: numerically (MailerLite's grow with time); ids that are not numbers
 * (seeded by hand) after those, by text.
 */
export function compareIds(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) {
    const d = BigInt(a) - BigInt(b);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// Case-insensitive, punctuation and spaces ignored: the recorded group list puts
// "[Do not delete] …" between "A test Group" and "My Group".
const collator = new Intl.Collator('en', { sensitivity: 'base', ignorePunctuation: true, numeric: false });

/** By name as MailerLite sorts them, ties by id. */
export function compareNames(a: { name: string; id: string }, b: { name: string; id: string }): number {
  return collator.compare(a.name, b.name) || compareIds(a.id, b.id);
}
