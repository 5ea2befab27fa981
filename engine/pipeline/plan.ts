import type { FieldValue, Subscriber } from '../ports/directory.ts';
import type { WriteIntent } from '../ports/intents.ts';
import type { Decision } from '../policy/decide.ts';
import type { AccountDirectory } from './account-directory.ts';
import type { Mapped } from './mapped.ts';

export type Plan =
  | {
      action: 'create' | 'update';
      /** What to write, in the destination's neutral terms; the adapter makes the requests. */
      intent: WriteIntent;
      /** Groups (names) the plan adds, for the outcome's detail. */
      groups: string[];
    }
  | { action: 'none'; groups: [] };

/**
 * Turns a decision into a write (pure): names resolved to ids and keys, and only what changes —
 * fields equal to the subscriber's are dropped and groups it already has are not added again.
 * A status goes only with a create.
 */
export function plan(decision: Exclude<Decision, { action: 'skip' }>, mapped: Mapped & { email: string }, existing: Subscriber | null, dir: AccountDirectory): Plan {
  const fields = dir.fieldKeys(mapped.fields);
  const groupIds = dir.groupIds(decision.groups, decision.slot ?? '');
  if (decision.action === 'create' || existing === null) {
    const intent: WriteIntent = { kind: 'create', email: mapped.email, fields, groups: groupIds };
    if (decision.action === 'create') intent.status = decision.status;
    return { action: 'create', intent, groups: decision.groups };
  }
  const member = new Set(existing.groups.map((g) => g.id));
  const newGroups = groupIds.filter((id) => !member.has(id));
  const changed = changedFields(fields, existing.fields);
  const added = decision.groups.filter((_, i) => !member.has(groupIds[i]!));
  if (Object.keys(changed).length === 0 && newGroups.length === 0) return { action: 'none', groups: [] };
  return { action: 'update', intent: { kind: 'update', email: mapped.email, subscriber: existing, fields: changed, groups: newGroups }, groups: added };
}

function changedFields(fields: Record<string, FieldValue>, current: Record<string, FieldValue>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(fields)) if (String(current[k] ?? '') !== String(v)) out[k] = v;
  return out;
}
