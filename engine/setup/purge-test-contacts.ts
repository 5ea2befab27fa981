import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import type { Store } from '../store/types.ts';
import { emailMatcher } from './email-pattern.ts';
import { maskEmail } from '../log/mask-email.ts';

export interface PurgeCandidate {
  subscriberId: string;
  email: string;
  /** When the flow created it (ms since the epoch). */
  at: number;
  /** The email for printing: masked but for the part --match spelled. */
  shown: string;
}

export interface PurgeSelection {
  candidates: PurgeCandidate[];
  /** Subscribers the flow created in the window that --match left out. */
  unmatched: number;
}

export interface PurgeWindow {
  since: number;
  until?: number;
  /** Glob or /regex/ over the email. */
  match?: string;
}

/**
 * The subscribers this flow CREATED in MailerLite within the window, from the store's effects
 * table: a subscriber the flow only updated (it existed before) is never a candidate, so purging
 * test contacts cannot touch the customer's real audience.
 */
export async function purgeCandidates(store: Store, flowId: string, window: PurgeWindow): Promise<PurgeSelection> {
  const match = window.match === undefined ? (email: string) => ({ shown: maskEmail(email) }) : emailMatcher(window.match);
  const byId = new Map<string, PurgeCandidate>();
  const unmatched = new Set<string>();
  for (const e of await store.effects(flowId, window.since, window.until)) {
    if (e.action !== 'created' || byId.has(e.subscriberId) || unmatched.has(e.subscriberId)) continue;
    const m = match(e.email);
    if (m === null) unmatched.add(e.subscriberId);
    else byId.set(e.subscriberId, { subscriberId: e.subscriberId, email: e.email, at: e.at, shown: m.shown });
  }
  return { candidates: [...byId.values()], unmatched: unmatched.size };
}

export interface PurgeResult {
  candidate: PurgeCandidate;
  ok: boolean;
  error?: string;
}

/**
 * Deletes the candidates by subscriber id (never by email: an address re-created by someone else
 * since has another id) and forgets their effect rows, one at a time so an interrupted purge
 * leaves the store consistent with MailerLite. A subscriber already gone counts as deleted.
 */
export async function purgeSubscribers(flow: CompiledFlow, store: Store, candidates: readonly PurgeCandidate[]): Promise<PurgeResult[]> {
  const out: PurgeResult[] = [];
  for (const candidate of candidates) {
    try {
      await flow.destination.deleteSubscriber(candidate.subscriberId);
      await store.forgetEffect(flow.id, candidate.subscriberId);
      out.push({ candidate, ok: true });
    } catch (err) {
      out.push({ candidate, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}
