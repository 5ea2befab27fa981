/** "jane.doe@example.org" → "j***@example.org": enough to tell contacts apart, not to read them. */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}
