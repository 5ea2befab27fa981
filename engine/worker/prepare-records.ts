/**
 * Claimed records into look-ups: normalise, filter, group into units, map, and check that what
 * would be sent can be encoded. Each of those steps runs per record or per unit, so anything one
 * record can make throw ends that record (dead-lettered with a code and reason, or skipped) and
 * never the round. The memberships it needs are read in one store call per flow before anything is
 * decided, and every store write this leads to is made in ONE store call (one commit a round).
 */
import { isEngineError, type EngineError } from '../errors.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import { PipelineErrors } from '../pipeline/errors.ts';
import { cleanMapped, type Mapped } from '../pipeline/mapped.ts';
import { prepare, type Prepared } from '../pipeline/prepare.ts';
import { formUnits, type Unit } from '../pipeline/units.ts';
import type { OutcomeEntry, Store, StoredRecord } from '../store/types.ts';
import { asEngineError, deadEntry, isEmpty, outcomeBatch, type Outcomes } from './outcomes.ts';
import { inSlices, nextTurn } from './turns.ts';
import type { Lookup } from './work.ts';

export interface PrepareContext {
  flows: ReadonlyMap<string, CompiledFlow>;
  store: Store;
  outcomes: Outcomes;
  /** Drift and unknown-trigger notes, reported once each. */
  report(flow: string, notes: readonly string[] | undefined): void;
  /** Records (then units) prepared between two turns of the event loop (default PREPARE_SLICE). */
  sliceSize?: number;
}

/**
 * Records normalised, filtered and mapped in one go before intake gets the loop back: a full
 * round (up to 50 claimed records, their `when` and mapping) would otherwise hold it for
 * milliseconds at a time.
 */
export const PREPARE_SLICE = 16;

export async function prepareRecords(ctx: PrepareContext, claimed: readonly StoredRecord[], now: number): Promise<Lookup[]> {
  const slice = ctx.sliceSize ?? PREPARE_SLICE;
  const ended: [StoredRecord, OutcomeEntry][] = [];
  const prepared: Prepared[] = [];
  await inSlices(claimed, slice, async (record) => {
    const flow = ctx.flows.get(record.flow);
    if (!flow) return;
    if (record.unreadable !== undefined) {
      ended.push([record, deadEntry(PipelineErrors.ENGINE_ERR_PAYLOAD_UNREADABLE({ detail: record.unreadable }))]);
      return;
    }
    try {
      const p = await prepare(flow, record);
      ctx.report(record.flow, p.skip === 'unknown_trigger' ? [`unknown trigger type ${record.trigger}`] : p.drift);
      if (p.skip) ended.push([record, { outcome: 'skipped', reason: p.skip }]);
      else prepared.push(p);
    } catch (err) {
      ended.push([record, deadEntry(asEngineError(err))]);
    }
  });
  const mappedUnits: { unit: Unit; flow: CompiledFlow; mapped: Mapped | EngineError }[] = [];
  // A turn between the two steps too, unless the first was shorter than a slice.
  if (claimed.length >= slice) await nextTurn();
  await inSlices(formUnits(prepared), slice, async (unit) => {
    const flow = ctx.flows.get(unit.flow)!;
    let mapped: Mapped | EngineError;
    try {
      mapped = cleanMapped(await flow.mapping.evaluate(unit.event));
    } catch (err) {
      mapped = asEngineError(err);
    }
    mappedUnits.push({ unit, flow, mapped });
  });
  const onList = await membership(ctx.store, mappedUnits);
  const batch = outcomeBatch();
  const lookups: Lookup[] = [];
  for (const [record, entry] of ended) ctx.outcomes.finish(batch, record, entry, now);
  for (const { unit, flow, mapped } of mappedUnits) {
    if (isEngineError(mapped)) {
      ctx.outcomes.dead(batch, unit, mapped, now);
      continue;
    }
    const subject = subjectOf(unit);
    if (subject && unit.joinedList) {
      batch.listed.push({ flow: flow.id, subject, at: now });
      onList.get(flow.id)?.add(subject); // a later unit of this contact sees it, as the store would
    }
    const listed = unit.joinedList || (subject !== null && (onList.get(flow.id)?.has(subject) ?? false));
    const email = mapped.email ?? unit.email;
    if (!email) {
      const reason = unit.event.contact?.email_status === 'invalid' ? 'invalid_email' : 'no_email';
      ctx.outcomes.finishUnit(batch, unit, { outcome: 'skipped', reason }, now);
      continue;
    }
    const malformed = malformedText({ email, fields: mapped.fields });
    if (malformed) {
      ctx.outcomes.dead(batch, unit, PipelineErrors.ENGINE_ERR_UNENCODABLE({ detail: `${malformed} is not well-formed Unicode (a lone surrogate)` }), now);
      continue;
    }
    lookups.push({ unit, flow, mapped: { ...mapped, email }, onList: listed });
  }
  if (!isEmpty(batch)) await ctx.store.applyOutcomes(batch);
  return lookups;
}

function subjectOf(unit: Unit): string | null {
  return unit.records.find((p) => p.record.subject)?.record.subject ?? null;
}

/** Per flow, which of the mapped units' contacts are on its list: one store read per flow. */
async function membership(store: Store, units: readonly { unit: Unit; flow: CompiledFlow }[]): Promise<Map<string, Set<string>>> {
  const asked = new Map<string, Set<string>>();
  for (const { unit, flow } of units) {
    const subject = subjectOf(unit);
    if (subject === null) continue;
    const subjects = asked.get(flow.id) ?? new Set<string>();
    subjects.add(subject);
    asked.set(flow.id, subjects);
  }
  const onList = new Map<string, Set<string>>();
  for (const [flow, subjects] of asked) onList.set(flow, await store.subjectsOnList(flow, [...subjects]));
  return onList;
}

// A high surrogate not followed by a low one, or a low one without a high one before it. Each
// alternative looks at one neighbour only: linear in the string's length.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Where the mapped contact holds text no request can carry, named by its place (never its value:
 * it is PII); null when every string is well-formed. URLs cannot encode a lone surrogate and JSON
 * parsers refuse or replace it, so no destination would store what was sent.
 */
export function malformedText(mapped: { email: string; fields: Mapped['fields'] }): string | null {
  if (LONE_SURROGATE.test(mapped.email)) return 'the email';
  for (const [key, value] of Object.entries(mapped.fields)) {
    if (typeof value === 'string' && LONE_SURROGATE.test(value)) return `field "${LONE_SURROGATE.test(key) ? '?' : key}"`;
  }
  return null;
}
