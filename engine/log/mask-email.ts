/**
 * An email for printing: the first letter of the local part, then ***, then the domain
 * ("j***@example.org"). `clear` keeps more of the local part as it is (the characters a purge
 * pattern spelled, so the operator sees why an address matched); every other run becomes ***.
 */
export function maskEmail(email: string, clear: (i: number) => boolean = () => false): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  let out = '';
  let hidden = false;
  for (let i = 0; i < email.length; i++) {
    if (i >= at || clear(i)) {
      out += email[i];
      hidden = false;
    } else if (!hidden) {
      // The first letter stays, as in every masked address the engine prints.
      out += i === 0 ? `${email[0]}***` : '***';
      hidden = true;
    }
  }
  return out;
}
