/**
 * How a worker ends records: one outcome per record (a unit's other records are coalesced into its
 * first), failures applied as their error's definition says (engine/failure/decide-failure.ts),
 * and the log line and hook of every outcome. It names no error code. Store writes are collected
 * in an OutcomeBatch, which the worker commits with one store call per step.
 */
import { isEngineError, type EngineError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { PipelineErrors } from '../pipeline/errors.ts';
import type { Unit } from '../pipeline/units.ts';
import type { OutcomeBatch, OutcomeEntry, StoredRecord } from '../store/types.ts';
import { decideFailure, type FailureDecision } from '../failure/decide-failure.ts';
import type { BackoffOptions } from '../failure/schedules.ts';
import type { WorkerHooks } from './hooks.ts';

/** An empty batch for one step's writes. */
export function outcomeBatch(): OutcomeBatch {
  return { finished: [], retried: [], released: [], listed: [], effects: [], createSent: [] };
}

/** True when the step decided nothing to write (its store call is skipped). */
export function isEmpty(batch: OutcomeBatch): boolean {
  return batch.finished.length + batch.retried.length + batch.released.length + batch.listed.length + batch.effects.length + batch.createSent.length === 0;
}

export class Outcomes {
  constructor(
    private readonly log: Logger,
    private readonly hooks: WorkerHooks,
    private readonly backoff: BackoffOptions,
  ) {}

  /** Ends one record (done, or dead for outcome 'dead'). */
  finish(batch: OutcomeBatch, record: StoredRecord, entry: OutcomeEntry, now: number): void {
    batch.finished.push({ id: record.id, entry, at: now });
    this.hooks.outcome?.(record.flow, entry.outcome, entry.reason ?? entry.errorCode ?? null);
    // A failure's message can quote a record's value (a JSONata error does): the log carries the
    // stable code, the message stays in the store for the admin API.
    const reason = entry.errorCode ? undefined : entry.reason;
    this.log.info(
      { flow: record.flow, record: record.id, trigger: record.trigger, outcome: entry.outcome, reason, code: entry.errorCode },
      'record',
    );
  }

  /** Ends a unit: its first record carries the outcome, the others were decided with it. */
  finishUnit(batch: OutcomeBatch, unit: Unit, entry: OutcomeEntry, now: number): void {
    const [primary, ...rest] = unit.records;
    this.finish(batch, primary!.record, entry, now);
    const coalesced: OutcomeEntry = entry.outcome === 'dead' || entry.outcome === 'skipped'
      ? entry
      : { outcome: 'skipped', reason: 'coalesced', detail: { into: primary!.record.id } };
    for (const p of rest) this.finish(batch, p.record, coalesced, now);
  }

  dead(batch: OutcomeBatch, unit: Unit, error: EngineError, now: number): void {
    this.finishUnit(batch, unit, deadEntry(error), now);
  }

  /**
   * Applies one unit's failure as its error's definition says. Returns the decision: the caller
   * pauses the account or refreshes the directory when it says so.
   */
  failed(batch: OutcomeBatch, unit: Unit, error: EngineError, now: number): FailureDecision {
    const ids = unit.records.map((p) => p.record.id);
    const attempts = Math.max(...unit.records.map((p) => p.record.attempts)) + 1;
    const decision = decideFailure(error, { attempts, backoff: this.backoff });
    if (decision.action === 'pause') {
      batch.released.push(...ids); // the account, not the record, failed: no attempt is counted
    } else if (decision.action === 'dead') {
      this.dead(batch, unit, decision.error, now);
    } else {
      const entry: OutcomeEntry = { outcome: 'failed', errorCode: error.code, reason: error.message };
      batch.retried.push({ ids, availableAt: now + decision.delayMs, entry, at: now });
      unit.records.forEach(() => this.hooks.outcome?.(unit.flow, 'failed', error.code));
      this.log.warn({ flow: unit.flow, records: ids, code: error.code, attempt: attempts, retry_in_ms: Math.round(decision.delayMs) }, 'record will be retried');
    }
    return decision;
  }
}

export function deadEntry(error: EngineError): OutcomeEntry {
  return { outcome: 'dead', errorCode: error.code, reason: error.message };
}

/** Anything thrown, as an engine error: a classified one as it is, anything else as internal. */
export function asEngineError(err: unknown): EngineError {
  if (isEngineError(err)) return err;
  return PipelineErrors.ENGINE_ERR_INTERNAL({ detail: err instanceof Error ? err.message : String(err) }, { cause: err });
}
