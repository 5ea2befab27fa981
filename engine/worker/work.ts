/**
 * The work a worker holds between rounds: units being looked up, and decided writes waiting for
 * the next round. Their records stay leased in the store while they are held.
 */
import type { Decision } from '../policy/decide.ts';
import type { Subscriber } from '../ports/directory.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import type { Mapped } from '../pipeline/mapped.ts';
import type { Plan } from '../pipeline/plan.ts';
import type { Unit } from '../pipeline/units.ts';

/** A unit whose subscriber is being looked up. */
export interface Lookup {
  unit: Unit;
  flow: CompiledFlow;
  mapped: Mapped & { email: string };
  onList: boolean;
}

/** A decided unit whose writes go out with the next round. */
export interface Job extends Lookup {
  decision: Exclude<Decision, { action: 'skip' }>;
  plan: Exclude<Plan, { action: 'none' }>;
  existing: Subscriber | null;
  /** Round items its write takes (the destination says). */
  cost: number;
  /**
   * An earlier attempt sent a create whose answer was lost, and the look-up found the subscriber:
   * this flow created it, whatever this write is (purge-test-contacts deletes only what was created).
   */
  createdEarlier: boolean;
}

/** The record ids a piece of work holds leased. */
export function leasedIds(work: readonly Lookup[]): number[] {
  return work.flatMap((w) => w.unit.records.map((p) => p.record.id));
}
