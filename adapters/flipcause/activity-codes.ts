/**
 * Flipcause activity codes and the three places a record states them: the `activity_type`
 * word, the comma-separated `transaction_type`, and the prefix of activity ids ("M1026828_A").
 */

export const MAILING_LIST = 'M';
export const REFUND = 'RD';

/**
 * `activity_type` words (lower-cased) → code. "Donation" and "Mailing List" are published; the
 * rest are the names Flipcause uses in its dashboard and may differ on the wire — the id prefix
 * states the code either way, so a word missing here loses nothing.
 */
const WORDS: ReadonlyMap<string, string> = new Map([
  ['mailing list', 'M'],
  ['donation', 'D'],
  ['registration', 'E'],
  ['event registration', 'E'],
  ['ticket', 'E'],
  ['store', 'G'],
  ['store order', 'G'],
  ['item order', 'G'],
  ['gift', 'G'],
  ['volunteer', 'V'],
  ['volunteer registration', 'V'],
  ['sponsorship', 'R'],
  ['refund', 'RD'],
  ['recurring', 'RS'],
  ['recurring setup', 'RS'],
  ['recurring donation', 'RS'],
]);

export function codeOfWord(word: string | null): string | null {
  return word === null ? null : (WORDS.get(word.toLowerCase()) ?? null);
}

const ID_PREFIX = /^([A-Z]{1,3})\d/;

/** "RD1129283_A" → "RD"; null when the id does not start with a code. */
export function codeOfActivityId(id: string): string | null {
  return ID_PREFIX.exec(id.toUpperCase())?.[1] ?? null;
}

/** "D, M" → ["D", "M"]; blanks and "NA" parts dropped. */
export function splitList(s: string | null): string[] {
  if (s === null) return [];
  const out: string[] = [];
  for (const part of s.split(',')) {
    const p = part.trim();
    if (p !== '' && p !== 'NA') out.push(p);
  }
  return out;
}
