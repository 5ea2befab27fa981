/**
 * The fleet page's rows, from what the server knows: the flows it serves (and the ones it lists
 * without serving), each account's worker state, and the store's overview. Pure: the route
 * gathers the inputs once per page.
 */
import type { FlowOverview, Outcome } from '../store/types.ts';

export interface FleetFlowInput {
  id: string;
  file: string;
  account: string;
  mode: string;
}

export interface AccountStateInput {
  paused: { code: string; message: string; since: number } | null;
  /** Flow id → why it waits (a group missing in the account). */
  notReady: Record<string, string>;
}

export interface FleetInput {
  flows: readonly FleetFlowInput[];
  accounts: ReadonlyMap<string, AccountStateInput>;
  notConfigured: readonly { flow: string; file: string; missing: string[] }[];
  problems: readonly { file: string; problems: string[] }[];
  overview: readonly FlowOverview[];
  now: number;
  /** A served flow without a delivery for this long is shown as silent. */
  silentAfterMs: number;
}

export type FlowStateKind = 'ok' | 'paused' | 'waiting' | 'not_configured' | 'silent' | 'not_loaded';

export interface FleetRow {
  flow: string;
  file: string | null;
  state: FlowStateKind;
  /** The state's detail in words: the pause's reason, the missing group, the unset secrets… */
  stateText: string;
  /** When the state began, where known (paused since, silent since). */
  stateSince: number | null;
  /** The file's newest version did not load; its last good version runs. */
  reloadProblems: string[];
  lastDeliveryAt: number | null;
  pending: number;
  oldestPendingAt: number | null;
  dead: number;
  recent: Partial<Record<Outcome, number>>;
}

export interface FleetView {
  rows: FleetRow[];
  totals: { flows: number; pending: number; dead: number; attention: number };
}

const EMPTY: Omit<FlowOverview, 'flow'> = { pending: 0, dead: 0, oldestPendingAt: null, lastDeliveryAt: null, recent: {} };

export function fleetView(input: FleetInput): FleetView {
  const overview = new Map(input.overview.map((o) => [o.flow, o]));
  const problems = new Map(input.problems.map((p) => [p.file, p.problems]));
  const rows: FleetRow[] = [];
  const listed = new Set<string>();
  for (const f of input.flows) {
    listed.add(f.id);
    const o = overview.get(f.id) ?? { flow: f.id, ...EMPTY };
    const state = servedState(f, input.accounts.get(f.account), o, input);
    rows.push({ ...counts(o), flow: f.id, file: f.file, ...state, reloadProblems: problems.get(f.file) ?? [] });
  }
  for (const n of input.notConfigured) {
    if (listed.has(n.flow)) continue;
    listed.add(n.flow);
    const o = overview.get(n.flow) ?? { flow: n.flow, ...EMPTY };
    rows.push({
      ...counts(o), flow: n.flow, file: n.file, state: 'not_configured', stateSince: null,
      stateText: `set ${n.missing.join(', ')}`, reloadProblems: [],
    });
  }
  // Records of a flow whose file is gone (or never loaded) stay in the store: listed, not hidden.
  for (const o of input.overview) {
    if (listed.has(o.flow)) continue;
    rows.push({ ...counts(o), flow: o.flow, file: null, state: 'not_loaded', stateSince: null, stateText: 'no flow file serves it', reloadProblems: [] });
  }
  rows.sort((a, b) => (a.flow < b.flow ? -1 : a.flow > b.flow ? 1 : 0));
  return {
    rows,
    totals: {
      flows: rows.length,
      pending: rows.reduce((n, r) => n + r.pending, 0),
      dead: rows.reduce((n, r) => n + r.dead, 0),
      attention: rows.filter((r) => r.state !== 'ok' || r.dead > 0 || r.reloadProblems.length > 0).length,
    },
  };
}

function counts(o: FlowOverview): Pick<FleetRow, 'lastDeliveryAt' | 'pending' | 'oldestPendingAt' | 'dead' | 'recent'> {
  return { lastDeliveryAt: o.lastDeliveryAt, pending: o.pending, oldestPendingAt: o.oldestPendingAt, dead: o.dead, recent: o.recent };
}

function servedState(
  f: FleetFlowInput,
  account: AccountStateInput | undefined,
  o: FlowOverview,
  input: FleetInput,
): Pick<FleetRow, 'state' | 'stateText' | 'stateSince'> {
  if (account?.paused) return { state: 'paused', stateText: `${account.paused.message} (${account.paused.code})`, stateSince: account.paused.since };
  const waiting = account?.notReady[f.id];
  if (waiting) return { state: 'waiting', stateText: waiting, stateSince: null };
  if (o.lastDeliveryAt === null) return { state: 'ok', stateText: 'ok, no delivery yet', stateSince: null };
  if (input.now - o.lastDeliveryAt > input.silentAfterMs) return { state: 'silent', stateText: 'silent since', stateSince: o.lastDeliveryAt };
  return { state: 'ok', stateText: 'ok', stateSince: null };
}
