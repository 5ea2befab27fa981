/**
 * An email filter as typed on the command line: `/regex/flags`, or a glob where `*` is any run
 * of characters and `?` one character (`*+test@example.org`). Globs match the whole address,
 * case-insensitively, since MailerLite stores emails lower-cased.
 */
export function emailPattern(pattern: string): (email: string) => boolean {
  const re = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (re) {
    const regex = new RegExp(re[1]!, re[2]!.includes('i') ? re[2] : `${re[2]}i`);
    return (email) => regex.test(email);
  }
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const glob = new RegExp(`^${source}$`, 'i');
  return (email) => glob.test(email);
}
