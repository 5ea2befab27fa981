/**
 * Which records one claim takes, the same rule for every backend: the earliest due records of the
 * account's flows (subjects a running round holds are skipped), then every pending sibling sharing a
 * subject or a transaction with them, so one contact is decided once. Pure: the backends only fetch.
 */

export interface ClaimRow {
  id: number;
  flow: string;
  subject: string | null;
  txn: string | null;
  due_at: number | null;
}

export interface SiblingKeys {
  subjects: string[];
  txns: string[];
}

/** The first `limit` ready rows by due time then id, skipping busy subjects. */
export function firstReady<R extends ClaimRow>(ready: readonly R[], busy: ReadonlySet<string>, limit: number): R[] {
  return ready
    .filter((r) => r.subject === null || !busy.has(r.subject))
    .sort((a, b) => (a.due_at ?? 0) - (b.due_at ?? 0) || a.id - b.id)
    .slice(0, limit);
}

/** Per flow, the subjects and transactions whose pending siblings join the claim. */
export function siblingKeys(first: readonly ClaimRow[]): Map<string, SiblingKeys> {
  const perFlow = new Map<string, { subjects: Set<string>; txns: Set<string> }>();
  for (const r of first) {
    const keys = perFlow.get(r.flow) ?? { subjects: new Set<string>(), txns: new Set<string>() };
    if (r.subject) keys.subjects.add(r.subject);
    if (r.txn) keys.txns.add(r.txn);
    perFlow.set(r.flow, keys);
  }
  const out = new Map<string, SiblingKeys>();
  for (const [flow, keys] of perFlow) {
    if (keys.subjects.size > 0 || keys.txns.size > 0) out.set(flow, { subjects: [...keys.subjects], txns: [...keys.txns] });
  }
  return out;
}

/** The claimed set: the first rows plus siblings not held by a running round, by id. */
export function claimed<R extends ClaimRow>(first: readonly R[], siblings: readonly R[], busy: ReadonlySet<string>): R[] {
  const byId = new Map<number, R>(first.map((r) => [r.id, r]));
  for (const r of siblings) if (!(r.subject && busy.has(r.subject))) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
