import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import { cleanMapped } from '../pipeline/mapped.ts';
import type { Store, StoredRecord } from '../store/types.ts';
import { maskEmail } from '../log/mask-email.ts';

/** One backfilled row as a person checks it: what was (or would be) done, for whom, with what. */
export interface BackfillRow {
  line: number;
  /** created, updated, no_change, skipped, dead, pending. */
  decision: string;
  /** Why, for skips and dead letters (a skip reason or an error code). */
  reason: string | null;
  /** Masked ("j***@example.org"). */
  email: string | null;
  /** The destination fields the flow's mapping fills for this row (names only, never values). */
  fields: string[];
}

/**
 * Each of a backfill's rows with its outcome, read back from the store, and the field names the
 * flow's mapping gives it (evaluated again on the row alone: values are never printed, names are
 * what a person checks the column mapping by). A row decided together with an earlier one of the
 * same contact says so.
 */
export async function backfillRows(flow: CompiledFlow, store: Store, records: readonly StoredRecord[], prefix: string): Promise<BackfillRow[]> {
  const lineOf = new Map(records.map((r) => [r.id, Number(r.dedupeKey.slice(prefix.length))]));
  const out: BackfillRow[] = [];
  for (const r of records) {
    const line = lineOf.get(r.id)!;
    let email: string | null = null;
    let fields: string[] = [];
    if (r.raw !== null) {
      const event = flow.source.normalise(r.raw);
      try {
        const mapped = cleanMapped(await flow.mapping.evaluate(event));
        email = mapped.email ?? event.contact?.email ?? null;
        fields = Object.keys(mapped.fields).sort();
      } catch {
        email = event.contact?.email ?? null;
      }
    }
    out.push({ line, ...(await decisionOf(r, store, (id) => lineOf.get(id))), email: email === null ? null : maskEmail(email), fields });
  }
  return out.sort((a, b) => a.line - b.line);
}

async function decisionOf(r: StoredRecord, store: Store, lineOf: (id: number) => number | undefined): Promise<{ decision: string; reason: string | null }> {
  if (r.status === 'pending') return { decision: 'pending', reason: r.errorCode };
  if (r.outcome === 'updated' && r.reason === 'no_change') return { decision: 'no_change', reason: null };
  if (r.outcome === 'skipped' && r.reason === 'coalesced') return { decision: 'coalesced', reason: `with line ${(await coalescedInto(r, store, lineOf)) ?? '?'}` };
  if (r.outcome === 'dead') return { decision: 'dead', reason: r.errorCode ?? r.reason };
  return { decision: r.outcome ?? 'unknown', reason: r.outcome === 'skipped' ? r.reason : null };
}

/** The row a coalesced one was decided with (the worker notes the record it went into). */
async function coalescedInto(r: StoredRecord, store: Store, lineOf: (id: number) => number | undefined): Promise<number | undefined> {
  const into = ((await store.history(r.id)).at(-1)?.detail as { into?: unknown } | undefined)?.into;
  return typeof into === 'number' ? lineOf(into) : undefined;
}
