import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import type { Finding } from './findings.ts';
import type { ValueKind } from './mapped-fields.ts';

export type SetupAction =
  /** `nearest`: an existing field the mapped name is probably a misspelling of. */
  | { kind: 'create_field'; name: string; mappedAs: string; type: ValueKind; nearest?: string }
  | { kind: 'create_group'; name: string };

export interface SetupPlan {
  actions: SetupAction[];
  /** Findings set-up does not fix (a refused key, a wrong field type, missing groups without --create-groups). */
  left: Finding[];
}

/**
 * The name to create a field under so that MailerLite generates the key the mapping uses:
 * MailerLite lower-cases the name and turns spaces into underscores, so "street_address" is
 * created as "Street address". A mapping that names a field by its display name keeps that name.
 */
export function fieldNameFor(mappedAs: string): string {
  if (!/^[a-z0-9_]+$/.test(mappedAs)) return mappedAs;
  const spaced = mappedAs.replace(/_+/g, ' ').trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** What `engine setup` would do for these findings: pure, so the printed plan is what runs. */
export function planSetup(findings: readonly Finding[], options: { createGroups: boolean }): SetupPlan {
  const actions: SetupAction[] = [];
  const left: Finding[] = [];
  for (const f of findings) {
    if (f.kind === 'missing_field') {
      actions.push({ kind: 'create_field', name: fieldNameFor(f.name), mappedAs: f.name, type: f.type, ...(f.nearest !== undefined ? { nearest: f.nearest } : {}) });
    }
    else if (f.kind === 'missing_group' && options.createGroups) actions.push({ kind: 'create_group', name: f.group });
    else left.push(f);
  }
  return { actions, left };
}

export function describeAction(a: SetupAction): string {
  return a.kind === 'create_group'
    ? `create group "${a.name}"`
    : `create field "${a.name}" (${a.type})${a.name === a.mappedAs ? '' : ` for the mapping's ${a.mappedAs}`}${
        a.nearest === undefined ? '' : ` (did you mean the existing ${a.nearest}? then correct the mapping instead)`
      }`;
}

export interface AppliedAction {
  action: SetupAction;
  ok: boolean;
  /** The created group id or field key, or why it failed. */
  detail: string;
}

/**
 * Creates what the plan lists, one call at a time, going on after a failure so one bad name does
 * not hold up the rest. A created field whose generated key differs from what the mapping uses is
 * reported (the mapping then has to use the key MailerLite chose).
 */
export async function applySetup(flow: CompiledFlow, plan: SetupPlan): Promise<AppliedAction[]> {
  const out: AppliedAction[] = [];
  for (const action of plan.actions) {
    try {
      if (action.kind === 'create_group') {
        const g = await flow.destination.createGroup(action.name);
        out.push({ action, ok: true, detail: `group id ${g.id}` });
      } else {
        const f = await flow.destination.createField(action.name, action.type);
        const sameKey = f.key === action.mappedAs || f.name.trim().toLowerCase() === action.mappedAs.trim().toLowerCase();
        out.push({ action, ok: true, detail: sameKey ? `key ${f.key}` : `key ${f.key} (the mapping uses ${action.mappedAs}: change it to ${f.key})` });
      }
    } catch (err) {
      out.push({ action, ok: false, detail: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}
