/**
 * What to do with one contact, given the flow's policy, whether the contact is on the Flipcause
 * mailing list and its state in the destination. Pure: the plan turns a Decision into intents,
 * the destination adapter turns those into its own calls.
 */
import type { Mode, NewStatus, PolicyConfig } from '../flow/types.ts';
import { ML_STATES, rowMatches, tableFor } from './tables.ts';
import type { MlState, PolicyRow, RuleId, SkipReason } from './tables.ts';

export type { MlState, RuleId, SkipReason } from './tables.ts';

export interface DecideInput {
  onList: boolean;
  state: MlState;
}

export type Decision =
  | {
      action: 'create';
      /** The flow's `new_status`; the only time a status is ever sent. */
      status: NewStatus;
      /** Group names to join, as the customer named them; empty when the slot is empty. */
      groups: string[];
      /** The policy group slot the groups came from, e.g. `new`. */
      slot: string;
      rule: RuleId;
    }
  | {
      action: 'update';
      /** Group names to add; never a replacement. Empty: membership left as it is. */
      groups: string[];
      /** `null` when the table keeps groups unchanged. */
      slot: string | null;
      rule: RuleId;
    }
  | { action: 'skip'; reason: SkipReason; rule: RuleId };

/** The table row that decides a contact; throws when none does (the tables cover every cell). */
export function matchRow(mode: Mode, input: DecideInput): PolicyRow<Mode, RuleId> {
  const row = tableFor(mode).find((r) => rowMatches(r, input.onList, input.state));
  if (!row) {
    throw new Error(`no ${mode} policy row for onList=${input.onList}, state=${String(input.state)}`);
  }
  return row;
}

export function decide(policy: PolicyConfig, input: DecideInput): Decision {
  const row = matchRow(policy.mode, input);
  const result = row.result;
  switch (result.action) {
    case 'skip':
      return { action: 'skip', reason: result.reason, rule: row.id };
    case 'create':
      return {
        action: 'create',
        status: policy.new_status,
        groups: slotGroups(policy, result.slot),
        slot: result.slot,
        rule: row.id,
      };
    case 'update': {
      // A table that matched `none` with an update would be a bug in the table itself.
      if (input.state === 'none') throw new Error(`policy row ${row.id} updates a contact that does not exist`);
      return {
        action: 'update',
        groups: result.slot === null ? [] : slotGroups(policy, result.slot),
        slot: result.slot,
        rule: row.id,
      };
    }
  }
}

/**
 * Compile once, decide many: every (onList, state) cell decided up front, so the per-event cost
 * is a lookup and a missing group slot fails when the flow loads rather than on the first contact
 * that reaches it. Decisions are frozen because they are shared between events.
 */
export function compilePolicy(policy: PolicyConfig): (input: DecideInput) => Decision {
  const cells = new Map<string, Decision>();
  for (const onList of [true, false]) {
    for (const state of ML_STATES) {
      const decision = decide(policy, { onList, state });
      if (decision.action !== 'skip') Object.freeze(decision.groups);
      cells.set(cellKey(onList, state), Object.freeze(decision));
    }
  }
  return (input) => {
    const decision = cells.get(cellKey(input.onList, input.state));
    if (!decision) throw new Error(`no ${policy.mode} policy row for onList=${input.onList}, state=${String(input.state)}`);
    return decision;
  };
}

function cellKey(onList: boolean, state: MlState): string {
  return `${onList ? 'yes' : 'no'}:${state}`;
}

/** The group names a policy holds in one slot (a copy: decisions must not alias the config). */
export function slotGroups(policy: PolicyConfig, slot: string): string[] {
  // Every mode's slots are lists of names, so the correlated union can be read by key.
  const slots: Readonly<Record<string, readonly string[] | undefined>> = policy.groups;
  const names = slots[slot];
  // The flow schema requires every slot of the chosen mode; an absent one is a loader bug,
  // and treating it as "no groups" would silently drop members from a group.
  if (!names) throw new Error(`policy for mode ${policy.mode} has no group slot "${slot}"`);
  return [...names];
}
