import type { ValueKind } from './mapped-fields.ts';

/** One thing `engine check` found wrong with a flow against its MailerLite account. */
export type Finding =
  | { kind: 'key_refused'; code: string; detail: string }
  | { kind: 'account_unreachable'; code: string; detail: string }
  /** `at` is file:line:col of the failing spot; `failed` of `samples` sample events failed so. */
  | { kind: 'mapping_failed'; at: string; detail: string; failed: number; samples: number }
  | { kind: 'missing_group'; group: string; slots: string[] }
  /** `nearest`: an existing field the name is probably a misspelling of. */
  | { kind: 'missing_field'; name: string; type: ValueKind; nearest?: string }
  | { kind: 'field_type'; name: string; key: string; type: string; produces: ValueKind[] };

/** What `engine setup` can create for a finding (groups only when asked to). */
export function fixable(f: Finding): f is Extract<Finding, { kind: 'missing_group' | 'missing_field' }> {
  return f.kind === 'missing_group' || f.kind === 'missing_field';
}

/** One line per finding, with how to fix it. Never holds the key or any contact data. */
export function describeFinding(f: Finding, flowId: string, apiKeyRef: string): string {
  switch (f.kind) {
    case 'key_refused':
      return `error: MailerLite refused the API key (${f.code}: ${f.detail}); fix: put a valid key for this account where ${apiKeyRef} points (MailerLite → Integrations → API)`;
    case 'account_unreachable':
      return `error: cannot read the MailerLite account (${f.code}: ${f.detail}); fix: check destination.mailerlite.base_url and the network, then run \`engine check ${flowId}\` again`;
    case 'mapping_failed':
      return `error: ${f.at}: the mapping fails on ${f.failed} of ${f.samples} sample events (${f.detail}); fix: correct the mapping there, then run \`engine validate --strict\` and \`engine test\``;
    case 'missing_group':
      return `error: group "${f.group}" (policy.groups.${f.slots.join(', policy.groups.')}) does not exist in MailerLite; fix: run \`engine setup ${flowId} --create-groups --yes\` to create group "${f.group}", or correct the name in the flow`;
    case 'missing_field':
      if (f.nearest !== undefined) {
        return `error: field ${f.name} is set by the mapping but does not exist in MailerLite (did you mean ${f.nearest}?); fix: change ${f.name} to ${f.nearest} in the mapping, or, if ${f.name} is meant to be a new field, run \`engine setup ${flowId} --yes\` to create it (${f.type})`;
      }
      return `error: field ${f.name} is set by the mapping but does not exist in MailerLite; fix: run \`engine setup ${flowId} --yes\` to create field ${f.name} (${f.type})`;
    case 'field_type':
      return `error: field ${f.name} (key ${f.key}) is of type ${f.type} but the mapping produces ${f.produces.join(' and ')} values; fix: make the mapping produce ${f.type} values for it, or recreate the field in MailerLite with the right type`;
  }
}
