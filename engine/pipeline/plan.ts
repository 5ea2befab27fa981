import type { FieldValue, Operation, Subscriber } from '../../adapters/mailerlite/types.ts';
import type { Decision } from '../policy/decide.ts';
import type { AccountDirectory } from './account-directory.ts';
import type { Mapped } from './mapped.ts';

export interface Plan {
  action: 'create' | 'update' | 'none';
  operations: Operation[];
  /** Groups (names) the plan adds, for the outcome's detail. */
  groups: string[];
}

/**
 * Turns a decision into MailerLite calls (pure). Only what changes is sent: fields equal to the
 * subscriber's are dropped and groups it already has are not added again. Status is sent only on
 * create; PUT never carries `groups` (it would replace the membership).
 */
export function plan(decision: Exclude<Decision, { action: 'skip' }>, mapped: Mapped & { email: string }, existing: Subscriber | null, dir: AccountDirectory): Plan {
  const fields = dir.fieldKeys(mapped.fields);
  const groupIds = dir.groupIds(decision.groups, decision.slot ?? '');
  if (decision.action === 'create' || existing === null) {
    const body: Record<string, unknown> = { email: mapped.email, fields, groups: groupIds };
    if (decision.action === 'create') body.status = decision.status;
    return { action: 'create', operations: [{ method: 'POST', path: 'api/subscribers', body }], groups: decision.groups };
  }
  const member = new Set(existing.groups.map((g) => g.id));
  const newGroups = groupIds.filter((id) => !member.has(id));
  const changed = changedFields(fields, existing.fields);
  const added = decision.groups.filter((_, i) => !member.has(groupIds[i]!));
  if (Object.keys(changed).length === 0 && newGroups.length === 0) return { action: 'none', operations: [], groups: [] };
  if (decision.write === 'upsert') {
    const body: Record<string, unknown> = { email: mapped.email, fields: changed };
    if (newGroups.length > 0) body.groups = newGroups;
    return { action: 'update', operations: [{ method: 'POST', path: 'api/subscribers', body }], groups: added };
  }
  const ops: Operation[] = [];
  if (Object.keys(changed).length > 0) ops.push({ method: 'PUT', path: `api/subscribers/${existing.id}`, body: { fields: changed } });
  for (const gid of newGroups) ops.push({ method: 'POST', path: `api/subscribers/${existing.id}/groups/${gid}` });
  return { action: 'update', operations: ops, groups: added };
}

function changedFields(fields: Record<string, FieldValue>, current: Record<string, FieldValue>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(fields)) if (String(current[k] ?? '') !== String(v)) out[k] = v;
  return out;
}
