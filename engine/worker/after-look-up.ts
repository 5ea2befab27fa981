/**
 * What a look-up's answer leads to: the policy's decision for the subscriber found, then either an
 * outcome (skipped, nothing to change) or a write for the next round. Planning and encoding are
 * the unit's own steps: what they throw fails that unit alone.
 *
 * This file is also the one home of the rule for a create whose answer never came back: a create
 * is marked in the store in the same commit that decides it, before it is sent (`createSent`),
 * and a later look-up that finds the subscriber of a marked unit finishes it as created. The mark
 * is durable, so the rule holds whether the answer was lost to a timeout, a failed commit or a
 * killed process; it is dropped when the record finishes, so a replay does not inherit it.
 */
import type { EngineError } from '../errors.ts';
import type { Decision } from '../policy/decide.ts';
import type { Destination } from '../ports/destination.ts';
import type { IntentResult } from '../ports/intents.ts';
import type { AccountDirectory } from '../pipeline/account-directory.ts';
import { PipelineErrors } from '../pipeline/errors.ts';
import { plan } from '../pipeline/plan.ts';
import type { OutcomeBatch, Store } from '../store/types.ts';
import { asEngineError, type Outcomes } from './outcomes.ts';
import type { Job, Lookup } from './work.ts';

export interface AfterLookUpContext {
  client: Destination;
  directory: AccountDirectory;
  /** The step's writes (committed by the worker in one store call). */
  batch: OutcomeBatch;
  /** Units (by primary record id) an earlier attempt of which sent a create (`sentCreates`). */
  sentCreate: ReadonlySet<number>;
  outcomes: Outcomes;
  /** A unit's failure (the worker applies the decision: retry, pause, dead). */
  failed(l: Lookup, error: EngineError): void;
}

/** The write to send, or null when the unit has ended (or failed) here. */
export function afterLookUp(ctx: AfterLookUpContext, l: Lookup, result: IntentResult, now: number): Job | null {
  if (!result.ok) {
    ctx.failed(l, result.error);
    return null;
  }
  const existing = result.found;
  const createdEarlier = existing !== null && ctx.sentCreate.has(l.unit.records[0]!.record.id);
  try {
    const decision = createdEarlier ? completeCreate(l) : l.flow.decide({ onList: l.onList, state: existing?.status ?? 'none' });
    const detail = { rule: decision.rule, on_list: l.onList, ml_status: existing?.status ?? 'none' };
    if (decision.action === 'skip') {
      ctx.outcomes.finishUnit(ctx.batch, l.unit, { outcome: 'skipped', reason: decision.reason, detail }, now);
      return null;
    }
    const p = plan(decision, l.mapped, existing, ctx.directory);
    if (p.action === 'none') {
      if (createdEarlier && existing) {
        // The create's answer was lost (a reset, a timeout, a kill), the subscriber is there.
        const subscriber = existing.id;
        ctx.batch.effects.push({ flow: l.flow.id, recordId: l.unit.records[0]!.record.id, subscriberId: subscriber, email: l.mapped.email, action: 'created', at: now });
        ctx.outcomes.finishUnit(ctx.batch, l.unit, { outcome: 'created', detail: { ...detail, subscriber, ml_did: 'created; its answer was lost, the look-up found it' } }, now);
      } else {
        ctx.outcomes.finishUnit(ctx.batch, l.unit, { outcome: 'updated', reason: 'no_change', detail: { ...detail, subscriber: existing?.id } }, now);
      }
      return null;
    }
    let cost: number;
    try {
      cost = ctx.client.cost(p.intent);
      ctx.client.describe(p.intent);
    } catch (err) {
      throw PipelineErrors.ENGINE_ERR_UNENCODABLE({ detail: err instanceof Error ? err.message : String(err) });
    }
    // Marked in the commit that ends this step, which comes before the write is sent.
    if (p.intent.kind === 'create') ctx.batch.createSent.push(...l.unit.records.map((r) => r.record.id));
    return { ...l, decision, plan: p, existing, cost, createdEarlier };
  } catch (err) {
    ctx.failed(l, asEngineError(err));
    return null;
  }
}

/**
 * The subscriber found is the one the lost create made: what the policy decided for a new contact
 * still stands, so only what that create did not set (none of it, if it landed whole) is written.
 */
function completeCreate(l: Lookup): Decision {
  const d = l.flow.decide({ onList: l.onList, state: 'none' });
  return d.action === 'create' ? { action: 'update', groups: d.groups, slot: d.slot, rule: d.rule } : d;
}

/**
 * The units (by primary record id) among these answered look-ups whose create went out before
 * (any of its records carries the mark): one store read for the round, made before the step's
 * writes are decided, so deciding needs no store call. Only units that found a subscriber are asked
 * about (one that found none is created now, whatever was sent before).
 */
export async function sentCreates(store: Store, lookups: readonly Lookup[], results: readonly IntentResult[]): Promise<Set<number>> {
  const found = lookups.filter((_, i) => {
    const result = results[i];
    return result?.ok === true && result.found !== null;
  });
  if (found.length === 0) return new Set();
  const marked = await store.createsSent(found.flatMap((l) => l.unit.records.map((r) => r.record.id)));
  return new Set(found.filter((l) => l.unit.records.some((r) => marked.has(r.record.id))).map((l) => l.unit.records[0]!.record.id));
}
