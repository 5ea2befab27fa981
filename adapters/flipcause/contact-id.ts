/**
 * Flipcause contact ids: bare ("CID638-1000056") on transactions and contacts, wrapped as
 * "Jane Doe (CID638-1000015)" on activities. The number after CID is the Flipcause account.
 */

const CID = /\b(CID(\d+)-[0-9A-Za-z]+)\b/;

export interface ContactIdParts {
  /** "CID638-1000015" */
  id: string;
  /** "638" */
  org: string;
  /** "Jane Doe" when the value was "Jane Doe (CID…)"; null for a bare id. */
  name: string | null;
}

export function parseContactId(s: string | null): ContactIdParts | null {
  if (s === null) return null;
  const m = CID.exec(s);
  if (!m) return null;
  // The name is whatever precedes the "(" that opens the id (found by index, not a regex, so
  // a long value cannot make it slow).
  const open = s.lastIndexOf('(', m.index);
  const name = open > 0 ? s.slice(0, open).trim() || null : null;
  return { id: m[1]!, org: m[2]!, name };
}
