/**
 * Where a drain's time goes, per account and per MailerLite window: requests, items, rate slots
 * taken, and the time the account sent nothing. Read from the fake's request log, so it sees what
 * MailerLite would see, whichever process sent it.
 */
import type { LoggedRequest } from '../adapters/mailerlite/index.ts';

export interface WindowTrace {
  window: number;
  requests: number;
  items: number;
  /** Slots of the limit taken: one a request, plus one per batch item past the first when items count. */
  slots: number;
  tooMany: number;
  /**
   * Longest stretch inside the window with no request on the wire while the window still had
   * slots free, ms (once they are all spent, waiting is the limit's doing, not the client's).
   */
  longestIdleMs: number;
  /** When the window's slots were all spent, ms after its start (null: never). */
  spentAtMs: number | null;
  /** Time inside the window with no request on the wire, ms. */
  idleMs: number;
}

export function traceWindows(log: readonly LoggedRequest[], windowMs: number, limit: number, perItem: boolean, t0: number, t1: number): WindowTrace[] {
  const out: WindowTrace[] = [];
  const n = Math.max(1, Math.ceil((t1 - t0) / windowMs));
  for (let w = 0; w < n; w++) out.push({ window: w, requests: 0, items: 0, slots: 0, tooMany: 0, longestIdleMs: 0, spentAtMs: null, idleMs: 0 });
  for (const r of log) {
    const w = out[Math.min(n - 1, Math.floor((r.at - t0) / windowMs))]!;
    const items = r.items?.length ?? 0;
    w.requests++;
    w.items += items;
    if (r.status === 429) w.tooMany++;
    if (r.status !== 429) w.slots += perItem && items > 0 ? items - (r.items ?? []).filter((i) => i.status === 429).length : 1;
    w.tooMany += (r.items ?? []).filter((i) => i.status === 429).length;
    if (w.spentAtMs === null && w.slots >= limit) w.spentAtMs = r.at - (t0 + w.window * windowMs);
  }
  // Idle: the parts of each window not covered by [at, respondedAt] of some request.
  const spans = log.map((r) => [r.at, r.respondedAt || r.at] as const).sort((a, b) => a[0] - b[0]);
  for (const w of out) {
    const start = t0 + w.window * windowMs;
    const end = Math.min(t1, start + windowMs);
    const spent = w.spentAtMs === null ? end : start + w.spentAtMs;
    const idle = (from: number, to: number): void => {
      w.idleMs += to - from;
      if (from < spent) w.longestIdleMs = Math.max(w.longestIdleMs, Math.min(to, spent) - from);
    };
    let cursor = start;
    for (const [a, b] of spans) {
      if (b <= cursor || a >= end) continue;
      if (a > cursor) idle(cursor, a);
      cursor = Math.max(cursor, b);
    }
    if (end > cursor) idle(cursor, end);
  }
  return out;
}

export function formatTrace(account: string, trace: readonly WindowTrace[]): string {
  return trace
    .map((w) => `${account} w${w.window}: ${w.requests} req, ${w.items} items, ${w.slots} slots${w.spentAtMs === null ? '' : ` (all spent at ${Math.round(w.spentAtMs)} ms)`}, ${w.tooMany} 429, idle ${Math.round(w.idleMs)} ms (longest with slots free ${Math.round(w.longestIdleMs)})`)
    .join('\n');
}
