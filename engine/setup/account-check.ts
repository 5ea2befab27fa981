import type { Field } from '../ports/directory.ts';
import { isEngineError } from '../errors.ts';
import { accountDirectory, type AccountDirectory } from '../pipeline/account-directory.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import type { Finding } from './findings.ts';
import { fieldTypeFor, mappedFields, type ValueKind } from './mapped-fields.ts';
import { failureLocation } from './expression-failure.ts';
import { nearest } from '../flow/did-you-mean.ts';

export interface CheckResult {
  findings: Finding[];
  /** The account as read (null when it could not be read). */
  directory: AccountDirectory | null;
  /** Names the mapping sets, for the report. */
  mappedFields: string[];
  samples: number;
}

/** Group names per slot of the flow's policy. */
function groupSlots(flow: CompiledFlow): Map<string, string[]> {
  const bySlot = new Map<string, string[]>();
  for (const [slot, names] of Object.entries(flow.policy.groups) as Array<[string, string[]]>) {
    for (const name of names) {
      const key = name.trim().toLowerCase();
      const seen = [...bySlot.keys()].find((k) => k.trim().toLowerCase() === key) ?? name;
      bySlot.set(seen, [...(bySlot.get(seen) ?? []), slot]);
    }
  }
  return bySlot;
}

/** Whether values of these kinds can be stored in a field of this type (text takes anything). */
function fits(type: Field['type'], kinds: ReadonlySet<ValueKind>): boolean {
  if (type === 'text') return true;
  return [...kinds].every((k) => k === type);
}

/**
 * Checks a flow against its live MailerLite account: the key works, every group the policy names
 * exists, every field the mapping sets exists, and each field's type takes what the mapping
 * produces. Read-only: it lists groups and fields and changes nothing.
 */
export async function checkFlow(flow: CompiledFlow): Promise<CheckResult> {
  const mapped = await mappedFields(flow);
  const findings: Finding[] = mapped.failures.map((f) => ({
    kind: 'mapping_failed',
    at: failureLocation(flow.file, 'mapping', flow.config.mapping, f),
    detail: f.errors.join('; '),
    failed: f.count,
    samples: mapped.samples,
  }));
  const result = { findings, directory: null, mappedFields: mapped.fields.map((f) => f.name), samples: mapped.samples };
  let directory: AccountDirectory;
  try {
    const [groups, fields] = await Promise.all([flow.destination.listGroups(), flow.destination.listFields()]);
    directory = accountDirectory(groups, fields);
  } catch (err) {
    const code = isEngineError(err) ? err.code : 'ENGINE_ERR_INTERNAL';
    const detail = err instanceof Error ? err.message : String(err);
    const halting = isEngineError(err) && err.kind === 'halting';
    findings.unshift({ kind: halting ? 'key_refused' : 'account_unreachable', code, detail });
    return result;
  }
  for (const [group, slots] of groupSlots(flow)) {
    if (directory.missingGroups([group]).length > 0) findings.push({ kind: 'missing_group', group, slots });
  }
  for (const f of mapped.fields) {
    const field = findField(directory.fields, f.name);
    if (!field) {
      const near = nearest(f.name, directory.fields.map((d) => d.key));
      findings.push({ kind: 'missing_field', name: f.name, type: fieldTypeFor(f.kinds), ...(near !== undefined ? { nearest: near } : {}) });
    }
    else if (!fits(field.type, f.kinds)) {
      findings.push({ kind: 'field_type', name: f.name, key: field.key, type: field.type, produces: [...f.kinds].sort() });
    }
  }
  return { ...result, directory };
}

/** The account field a mapped name means: by key first, then by name, as the worker resolves it. */
export function findField(fields: readonly Field[], name: string): Field | undefined {
  const n = name.trim().toLowerCase();
  return fields.find((f) => f.key.toLowerCase() === n) ?? fields.find((f) => f.name.trim().toLowerCase() === n);
}
