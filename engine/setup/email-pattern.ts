/**
 * An email filter as typed on the command line: `/regex/flags`, or a glob where `*` is any run
 * of characters and `?` one character (`*+test@example.org`). Globs match the whole address,
 * case-insensitively, since MailerLite stores emails lower-cased.
 *
 * A match also says what to print: the address masked except for what the pattern itself spells
 * (the glob's literal text, or a regex's match when the regex spells it out) and the domain, so
 * the operator sees why an address matched without the list printing anyone's address in clear.
 */
import { maskEmail } from '../log/mask-email.ts';

export interface EmailMatch {
  /** The address for printing: local part masked but for the text the pattern spelled. */
  shown: string;
}

type Matcher = (email: string) => EmailMatch | null;

function globMatcher(pattern: string): Matcher {
  const tokens = pattern.match(/\*+|\?|[^*?]+/g) ?? [];
  const source = tokens
    .map((t) => (t.startsWith('*') ? '(.*)' : t === '?' ? '(.)' : t.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const glob = new RegExp(`^${source}$`, 'id');
  return (email) => {
    const m = glob.exec(email);
    if (!m?.indices) return null;
    const wild = m.indices.slice(1).filter((span): span is [number, number] => span !== undefined);
    return { shown: maskEmail(email, (i) => !wild.some(([s, e]) => i >= s && i < e)) };
  };
}

function regexMatcher(body: string, flags: string): Matcher {
  const regex = new RegExp(body, `${flags.includes('i') ? flags : `${flags}i`}`.replace('g', '') + 'd');
  // What the regex spells literally, escapes undone: a match inside it is the operator's own text.
  const spelled = body.replace(/\\([^A-Za-z0-9])/g, '$1').toLowerCase();
  return (email) => {
    const m = regex.exec(email);
    if (!m?.indices) return null;
    const [start, end] = m.indices[0]!;
    const literal = end > start && spelled.includes(email.slice(start, end).toLowerCase());
    return { shown: maskEmail(email, (i) => literal && i >= start && i < end) };
  };
}

export function emailMatcher(pattern: string): Matcher {
  const re = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  return re ? regexMatcher(re[1]!, re[2]!) : globMatcher(pattern);
}
