const CONTACT_ID = /CID\d+-/g;

/** A record as if another Flipcause account had sent it: its user_id and every CID<org>- prefix rewritten. */
export function moveToAccount(record: Record<string, unknown>, orgId: string): Record<string, unknown> {
  const out = { ...record };
  if (typeof out.user_id === 'string') out.user_id = orgId;
  for (const [key, value] of Object.entries(out)) {
    if (typeof value === 'string' && CONTACT_ID.test(value)) out[key] = value.replace(CONTACT_ID, `CID${orgId}-`);
    CONTACT_ID.lastIndex = 0;
  }
  return out;
}
