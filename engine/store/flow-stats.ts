import type { FlowOverview, FlowStats, Outcome, RecordStatus } from './types.ts';

/** One row of the per-flow count query both stores run. */
export interface StatusCount {
  flow: string;
  status: RecordStatus;
  outcome: Outcome | null;
  n: number;
  oldest: number | null;
}

/** Per-flow stats from the count rows and each flow's last delivery, sorted by flow: one rule for every store. */
export function foldStats(counts: readonly StatusCount[], activity: readonly { flow: string; last_delivery_at: number }[]): FlowStats[] {
  const out = new Map<string, FlowStats>();
  const get = (flow: string): FlowStats => {
    let s = out.get(flow);
    if (!s) {
      s = { flow, pending: 0, done: 0, dead: 0, byOutcome: {}, oldestPendingAt: null, lastDeliveryAt: null };
      out.set(flow, s);
    }
    return s;
  };
  for (const r of counts) {
    const s = get(r.flow);
    s[r.status] += r.n;
    if (r.status !== 'pending' && r.outcome) s.byOutcome[r.outcome] = (s.byOutcome[r.outcome] ?? 0) + r.n;
    if (r.oldest !== null) s.oldestPendingAt = s.oldestPendingAt === null ? r.oldest : Math.min(s.oldestPendingAt, r.oldest);
  }
  for (const a of activity) get(a.flow).lastDeliveryAt = a.last_delivery_at;
  return [...out.values()].sort((a, b) => a.flow.localeCompare(b.flow));
}

/** The rows of the console's overview, as both stores read them. */
export interface OverviewRows {
  pending: readonly { flow: string; n: number; oldest: number | null }[];
  dead: readonly { flow: string; n: number }[];
  /** Outcomes of records finished since the overview's `since`. */
  recent: readonly { flow: string; outcome: Outcome; n: number }[];
  /** Every flow that ever had a delivery, so none is missed. */
  activity: readonly { flow: string; last_delivery_at: number }[];
}

/** The console's per-flow overview from its rows, sorted by flow: one rule for every store. */
export function foldOverview(rows: OverviewRows): FlowOverview[] {
  const out = new Map<string, FlowOverview>();
  const get = (flow: string): FlowOverview => {
    let o = out.get(flow);
    if (!o) {
      o = { flow, pending: 0, dead: 0, oldestPendingAt: null, lastDeliveryAt: null, recent: {} };
      out.set(flow, o);
    }
    return o;
  };
  for (const r of rows.pending) {
    const o = get(r.flow);
    o.pending = r.n;
    o.oldestPendingAt = r.oldest;
  }
  for (const r of rows.dead) get(r.flow).dead = r.n;
  for (const r of rows.recent) get(r.flow).recent[r.outcome] = r.n;
  for (const a of rows.activity) get(a.flow).lastDeliveryAt = a.last_delivery_at;
  return [...out.values()].sort((a, b) => (a.flow < b.flow ? -1 : a.flow > b.flow ? 1 : 0));
}
