import type { NormalisedEvent } from '../ports/event.ts';
import type { StoredRecord } from '../store/types.ts';
import type { CompiledFlow } from './compiled-flow.ts';

/** Stable reasons a record goes nowhere before any MailerLite call. */
export type PrepareSkip = 'purged' | 'unknown_trigger' | 'trigger_not_enabled' | 'no_contact' | 'before_since' | 'filtered_by_when';

export interface Prepared {
  record: StoredRecord;
  event: NormalisedEvent | null;
  skip: PrepareSkip | null;
  /** Payload drift the source noticed (known fields missing), to report, not to fail on. */
  drift?: string[];
}

/**
 * One stored record through normalise → trigger → cut-off → `when`. Pure but for the `when`
 * expression (JSONata evaluates asynchronously); throws a permanent error when `when` fails.
 */
export async function prepare(flow: CompiledFlow, record: StoredRecord): Promise<Prepared> {
  if (record.raw === null) return { record, event: null, skip: 'purged' };
  const event = flow.source.normalise(record.raw);
  const skip = await skipReason(flow, event);
  // Drift is about what the sender's webhooks carry; a backfilled row comes from an export, whose columns the source reports itself.
  const drift = event.event.known && !flow.backfill ? flow.source.drift?.(record.raw) : undefined;
  return drift?.length ? { record, event, skip, drift } : { record, event, skip };
}

async function skipReason(flow: CompiledFlow, ev: NormalisedEvent): Promise<PrepareSkip | null> {
  // Unknown trigger types are kept (stored, answered 200) and reported with their own reason.
  if (!flow.triggers.has(ev.event.trigger)) return ev.event.known ? 'trigger_not_enabled' : 'unknown_trigger';
  if (ev.contact === null) return 'no_contact';
  // The cut-off compares against the record's own date; a record without one is let through.
  // A backfill brings older records in on purpose: its flow says so, the records keep their dates.
  if (!flow.backfill && ev.event.date !== null && flow.sinceMs !== null && Date.parse(ev.event.date) < flow.sinceMs) return 'before_since';
  if (flow.when && !(await flow.when.evaluate(ev))) return 'filtered_by_when';
  return null;
}
