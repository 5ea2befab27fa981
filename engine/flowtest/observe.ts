import type { FakeObservation } from '../ports/adapter.ts';
import type { Store } from '../store/types.ts';

/** What a case produced, in the terms its expectations use. */
export interface Observed {
  /** HTTP status the server answered to each delivery. */
  deliveries: number[];
  /** One per stored record: `trigger:recordId` → outcome (null while still pending). */
  outcomes: Array<{ key: string; outcome: string | null; reason: string | null; error: string | null }>;
  /** The account as the fake destination shows it, and its writes in order (FakeObservation). */
  subscribers: FakeObservation['subscribers'];
  requests: FakeObservation['requests'];
}

export async function observeOutcomes(store: Store, flow: string): Promise<Observed['outcomes']> {
  return (await store.records({ flow, limit: 10_000 })).map((r) => ({ key: r.dedupeKey, outcome: r.outcome, reason: r.reason, error: r.errorCode }));
}
