/**
 * Finds email addresses inside free text and masks them, in one pass: linear in the text's
 * length, whatever the text holds. A regular expression for "local@domain.tld" backtracks over
 * every long run without an "@" (27 s for a 100k-character field, minutes for 1 MB), and it ran
 * on every logged string and every record shown by the admin API, blocking the server meanwhile.
 *
 * What counts as an address is what the pattern it replaces matched,
 * /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[a-z]{2,}/gi: a run of non-boundary characters, "@", and a
 * run that has a dot followed by two or more ASCII letters after at least one character; the
 * address ends after those letters of the last such dot.
 */

/** True for the characters an address cannot contain: JavaScript's \s, and @ " ' < > ( ) , ; : */
function isBoundary(c: number): boolean {
  switch (c) {
    case 0x40: case 0x22: case 0x27: case 0x3c: case 0x3e: case 0x28: case 0x29: case 0x2c: case 0x3b: case 0x3a:
    case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x20: case 0xa0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000: case 0xfeff:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200a;
  }
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/**
 * Where the address whose domain run is s[from, to) ends: after the letters following the last
 * dot that has at least one character before it and two letters after it; -1 when there is none.
 */
function domainEnd(s: string, from: number, to: number): number {
  for (let dot = to - 3; dot > from; dot--) {
    if (s.charCodeAt(dot) !== 0x2e || !isAsciiLetter(s.charCodeAt(dot + 1)) || !isAsciiLetter(s.charCodeAt(dot + 2))) continue;
    let end = dot + 3;
    while (end < to && isAsciiLetter(s.charCodeAt(end))) end++;
    return end;
  }
  return -1;
}

/**
 * `s` with every email address replaced by `mask`. Each character is looked at a bounded number
 * of times: a left scan stops at the previous address or "@", a right scan at the next "@".
 */
export function maskEmails(s: string, mask: string): string {
  let at = s.indexOf('@');
  if (at < 0) return s;
  let out = '';
  // s[0, copied) is already in `out` (or masked): the next address starts at or after it.
  let copied = 0;
  while (at >= 0) {
    let start = at;
    while (start > copied && !isBoundary(s.charCodeAt(start - 1))) start--;
    let runEnd = at + 1;
    while (runEnd < s.length && !isBoundary(s.charCodeAt(runEnd))) runEnd++;
    const end = start < at ? domainEnd(s, at + 1, runEnd) : -1;
    if (end > 0) {
      out += s.slice(copied, start) + mask;
      copied = end;
    }
    at = s.indexOf('@', Math.max(at + 1, copied));
  }
  return copied === 0 ? s : out + s.slice(copied);
}
